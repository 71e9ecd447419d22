using System.Diagnostics;
using Layan.Infrastructure.Email;

namespace Layan.Tests.Support;

/// <summary>A real SMTP server (aiosmtpd) on 127.0.0.1 with a maildir the tests read.</summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _maildir;

    private SmtpServer(Process process, string maildir, int port)
    {
        _process = process;
        _maildir = maildir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpServer> StartAsync()
    {
        var maildir = Path.Combine(Path.GetTempPath(), "layan-smtp-" + Guid.NewGuid().ToString("N")[..8]);
        var port = Processes.FreeLoopbackPort();
        var script = Path.Combine(AppContext.BaseDirectory, "Support", "smtp_server.py");
        // Debian's interpreter: that is where python3-aiosmtpd is installed.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, maildir, port.ToString(System.Globalization.CultureInfo.InvariantCulture), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the SMTP server.");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line != "ready")
        {
            var error = await process.StandardError.ReadToEndAsync(cts.Token);
            throw new InvalidOperationException("The SMTP server did not start (apt-get install python3-aiosmtpd): " + error);
        }
        return new SmtpServer(process, maildir, port);
    }

    /// <summary>Every message the server has accepted so far.</summary>
    internal IReadOnlyList<MailFile> Messages()
    {
        var delivered = Path.Combine(_maildir, "new");
        return Directory.Exists(delivered)
            ? Directory.GetFiles(delivered).Select(f => MailFile.Parse(File.ReadAllText(f))).ToList()
            : [];
    }

    internal Task<IReadOnlyList<MailFile>> WaitForMessagesAsync(int count) =>
        Eventually.Until(Messages, m => m.Count >= count, $"{count} message(s) at the SMTP server");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (Directory.Exists(_maildir))
        {
            Directory.Delete(_maildir, recursive: true);
        }
    }
}
