using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Broker.Cli.Tests;

/// <summary>Runs the built `broker` (broker.dll beside the tests) as a child process, as a user would.</summary>
internal sealed partial class BrokerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly System.Collections.Concurrent.BlockingCollection<string> _lines = [];

    private BrokerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
            }
            else
            {
                _lines.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static BrokerProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "broker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new BrokerProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>
    /// Starts `broker run` with <paramref name="args"/> and waits for its endpoints line (`metrics=... health=...`,
    /// which follows the start-up log lines); returns the process and that line.
    /// </summary>
    public static (BrokerProcess Process, string Endpoints) StartRun(TimeSpan timeout, params string[] args)
    {
        var process = Start(["run", .. args]);
        string? line;
        do
        {
            line = process.ReadLine(timeout);
            if (line is null)
            {
                var error = process.StandardError;
                process.Dispose();
                throw new InvalidOperationException($"broker run did not start: {error}");
            }
        }
        while (!line.StartsWith("metrics=", StringComparison.Ordinal));

        return (process, line);
    }

    /// <summary>The URL after `name=` in an endpoints line.</summary>
    public static Uri Endpoint(string endpoints, string name) =>
        new(endpoints.Split(' ').First(w => w.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..]);

    /// <summary>Runs to completion (bounded) and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        while (process.ReadLine(timeout - clock.Elapsed) is { } line)
        {
            output.AppendLine(line);
        }

        var code = process.WaitForExit(timeout - clock.Elapsed);
        return (code, output.ToString(), process.StandardError);
    }

    /// <summary>The next line of stdout, or null at end of output or after the timeout.</summary>
    public string? ReadLine(TimeSpan timeout) =>
        timeout > TimeSpan.Zero && _lines.TryTake(out var line, timeout) ? line : null;

    public void SendSignal(int signal)
    {
        if (SysKill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"broker did not exit within {timeout.TotalSeconds:0} s. stderr: {StandardError}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _lines.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int SysKill(int pid, int signal);
}
