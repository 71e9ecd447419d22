using BenchmarkDotNet.Running;

namespace Layan.Bench;

/// <summary>
/// Benchmarks of hot code (BenchmarkDotNet) and, later, the load driver for whole-system runs.
/// Each target is measured as a ratio against a baseline taken in the same run; figures and
/// targets live in bench/README.md, never in test asserts.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [("routing" or "inbox") and var name, ..])
        {
            var admin = Environment.GetEnvironmentVariable("LAYAN_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("Set LAYAN_BENCH_POSTGRES (bench/run.sh starts a throwaway PostgreSQL for you).");
            return name == "routing" ? await RoutingBenchmark.RunAsync(admin) : await InboxBenchmark.RunAsync(admin);
        }
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
