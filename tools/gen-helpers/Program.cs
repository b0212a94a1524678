using Ebpf.Tools.GenHelpers;

// Regenerates the ABI table and the generated Bpf.* methods from the repository's inputs:
//   dotnet run --project tools/gen-helpers [-- --header /usr/include/linux/bpf.h] [-- --check]
// --check compares instead of writing (exit 1 when a generated file is out of date).
string root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? RepositoryRoot.Find(Directory.GetCurrentDirectory())
    ?? throw new InvalidOperationException("run inside the repository (Ebpf.Compiler.sln not found above the current directory)");
string header = "/usr/include/linux/bpf.h";
bool check = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--header" && i + 1 < args.Length) header = args[++i];
    else if (args[i] == "--check") check = true;
    else { Console.Error.WriteLine($"gen-helpers: unknown argument '{args[i]}' (use --header PATH, --check)"); return 2; }
}
var outputs = Generator.Generate(RepositoryInputs.Read(root, header));
int stale = 0;
foreach (var (path, text) in outputs)
{
    string full = Path.Combine(root, path);
    bool same = File.Exists(full) && File.ReadAllText(full) == text;
    if (check) { if (!same) { Console.Error.WriteLine($"gen-helpers: {path} is out of date"); stale++; } continue; }
    if (!same) File.WriteAllText(full, text);
    Console.WriteLine($"{(same ? "unchanged" : "wrote")} {path}");
}
return stale == 0 ? 0 : 1;
