using Spectre.Console;

namespace Ebpf.Cli.Inspection;

/// <summary>Spectre.Console on the command's output writer: colors and live updates on a terminal, plain wide text
/// otherwise (pipes, logs and tests read whole rows).</summary>
static class ConsoleFactory
{
    public static IAnsiConsole Create(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 200;
        return console;
    }

    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
}
