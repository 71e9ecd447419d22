using System.Diagnostics;
using System.Text;

namespace Layan.Tests.Support;

/// <summary>
/// Layan as a real process (<c>dotnet Layan.dll</c>, the app's own build), on a loopback port, over
/// a <see cref="TestDatabase"/>: a node with its own runtime, pools, background services and real
/// clock, as a second server behind a load balancer would be. It is killed when disposed, and
/// stops by itself after <see cref="Lifetime"/> should the test run die first.
/// </summary>
public sealed class LayanProcess : IAsyncDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LayanProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What the node wrote so far (for a failing test's message).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a node and waits until it answers <c>/health/ready</c>.</summary>
    public static async Task<LayanProcess> StartAsync(TestDatabase database, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var port = Processes.FreeLoopbackPort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        // coreutils' timeout ends the node even if nobody disposes it.
        var info = new ProcessStartInfo("timeout")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--signal=KILL", $"{(int)Lifetime.TotalSeconds}s", "dotnet", Repo.AppDll, "--urls", address.ToString() })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Storage__DataDirectory"] = database.DataDirectory;
        info.Environment["Database__Provider"] = database.Provider.ToString();
        info.Environment["ConnectionStrings__Layan"] = database.ConnectionString;
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a Layan node.");
        var node = new LayanProcess(process, address);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = node.Client();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The node exited with {process.ExitCode}: {node.Output}");
            }
            try
            {
                if ((await client.GetAsync("/health/ready", cancellationToken)).IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                await node.DisposeAsync();
                throw new TimeoutException($"The node did not become ready: {node.Output}");
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>A client of this node: with <paramref name="cookies"/> it keeps a session as a browser does (a signed-in member); without, a widget visitor's view.</summary>
    public HttpClient Client(bool cookies = false) =>
        new(new HttpClientHandler { UseCookies = cookies, AllowAutoRedirect = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
