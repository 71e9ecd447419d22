using Npgsql;

[assembly: AssemblyFixture(typeof(Layan.Tests.Support.PostgresServer))]

namespace Layan.Tests.Support;

/// <summary>
/// A private PostgreSQL server for the whole test run, started on first use from the installed
/// binaries (initdb into a temp folder, its own 127.0.0.1 port, as the <c>postgres</c> user when we
/// are root), or the server named by <c>LAYAN_TEST_POSTGRES</c>. Each caller gets a fresh database.
/// In CI a server that cannot start fails the tests; elsewhere they are skipped with the reason.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _adminConnectionString;
    private string? _directory;
    private string? _binaries;
    private string? _failure;

    public async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionStringAsync();
        var name = "layan_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, IncludeErrorDetail = true }.ToString();
    }

    private async Task<string> AdminConnectionStringAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_adminConnectionString is null && _failure is null)
            {
                try
                {
                    _adminConnectionString = Environment.GetEnvironmentVariable("LAYAN_TEST_POSTGRES") is { Length: > 0 } external
                        ? external
                        : await StartAsync();
                }
                catch (Exception ex)
                {
                    _failure = ex.Message;
                }
            }
            if (_failure is not null)
            {
                if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
                {
                    throw new InvalidOperationException("PostgreSQL is required in CI but could not start: " + _failure);
                }
                Assert.Skip("PostgreSQL is not available here: " + _failure);
            }
            return _adminConnectionString!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> StartAsync()
    {
        _binaries = FindBinaries();
        _directory = Path.Combine(Path.GetTempPath(), "layan-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(_directory, "data");
        Directory.CreateDirectory(_directory);
        if (Processes.IsRoot)
        {
            await Processes.RunAsync("chown", ["postgres:postgres", _directory]);
        }
        await Processes.RunAsPostgresAsync(Path.Combine(_binaries, "initdb"),
            "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync");
        var port = Processes.FreeLoopbackPort();
        await Processes.RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"),
            "-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start");
        StartWatchdog(data);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
    }

    // Stops the server by itself if this test process dies without disposing the fixture.
    private void StartWatchdog(string data)
    {
        var pid = Environment.ProcessId;
        var script = $"while [ -d /proc/{pid} ]; do sleep 1; done; '{Path.Combine(_binaries!, "pg_ctl")}' -D '{data}' stop -m immediate >/dev/null 2>&1; rm -rf '{_directory}'";
        var file = Processes.IsRoot ? "runuser" : "bash";
        string[] arguments = Processes.IsRoot ? ["-u", "postgres", "--", "bash", "-c", script] : ["-c", script];
        var info = new System.Diagnostics.ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        System.Diagnostics.Process.Start(info);
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException($"No PostgreSQL server binaries under {root} (apt-get install postgresql).");
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null || _binaries is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            await Processes.RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "stop", "-m", "fast", "-w");
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // The watchdog removes it after the process ends.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
    }
}
