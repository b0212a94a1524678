namespace Ebpf.Tests;

// Removed once the project's first real tests land.
public class ProjectBuilds
{
    [Fact]
    public void Compiles() => Assert.True(typeof(ProjectBuilds).Assembly.GetName().Name == "Ebpf.Tests");
}
