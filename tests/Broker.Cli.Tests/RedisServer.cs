// A throwaway Debian redis-server for a test: 127.0.0.1 on a free port, no persistence, its own temp folder,
// killed at the end. The cluster's production membership and grain storage run on it.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Broker.Cli.Tests;

internal sealed class RedisServer : IDisposable
{
    public const string Binary = "/usr/bin/redis-server";

    private readonly Process _process;
    private readonly DirectoryInfo _folder;
    private bool _disposed;

    private RedisServer(Process process, DirectoryInfo folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static RedisServer Start()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: scripts/setup.sh installs Debian's redis-server.");
        }

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var folder = Directory.CreateTempSubdirectory("broker-redis-");
        var info = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder.FullName };
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", folder.FullName })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new RedisServer(process, folder, port);
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        process.Kill();
        throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port} within 10 s");
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung Redis.</summary>
    public void Pause() => Signal(19);

    /// <summary>Lets a paused server go on (SIGCONT), its data intact.</summary>
    public void Resume() => Signal(18);

    private void Signal(int signal)
    {
        if (BrokerProcess.SysKill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    // Idempotent: a test stops Redis mid-run (an outage) and disposes it again at the end.
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            Resume(); // a paused server is killed all the same; resumed first so that it exits at once
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _folder.Delete(recursive: true);
    }
}
