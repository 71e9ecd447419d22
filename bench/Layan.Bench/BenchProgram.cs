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
        if (args is [("routing" or "inbox" or "live" or "sla" or "webhooks") and var name, ..])
        {
            var admin = Environment.GetEnvironmentVariable("LAYAN_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("Set LAYAN_BENCH_POSTGRES (bench/run.sh starts a throwaway PostgreSQL for you).");
            return name switch
            {
                "routing" => await RoutingBenchmark.RunAsync(admin),
                "inbox" => await InboxBenchmark.RunAsync(admin),
                "webhooks" => await WebhookBenchmark.RunAsync(admin),
                "sla" => await SlaBenchmark.RunAsync(admin, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000),
                _ => await LiveBenchmark.RunAsync(admin, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5000),
            };
        }
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
