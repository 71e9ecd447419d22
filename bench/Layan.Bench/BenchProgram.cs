using BenchmarkDotNet.Running;

namespace Layan.Bench;

/// <summary>
/// Benchmarks of hot code (BenchmarkDotNet) and, later, the load driver for whole-system runs.
/// Each target is measured as a ratio against a baseline taken in the same run; figures and
/// targets live in bench/README.md, never in test asserts.
/// </summary>
public static class BenchProgram
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
