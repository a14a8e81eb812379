// The Prometheus side of the dashboard, against real servers: Debian's Prometheus scrapes a running silo (`broker
// demo --keep`) with the shipped alert rules loaded; every rule evaluates without error, and every series the rules
// and the Grafana board (deploy/grafana/dashboards/broker.json) name exists on the live silo.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Broker.Cli.Tests;

namespace Broker.Dashboard.Tests;

public sealed partial class PrometheusScrapeTests
{
    private const string Prometheus = "/usr/bin/prometheus";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("the repository root is not above the test folder");
        }
    }

    [Fact]
    public async Task Prometheus_scrapes_a_silo_evaluates_the_alert_rules_and_finds_every_series_the_board_uses()
    {
        Assert.True(File.Exists(Prometheus), $"{Prometheus} is missing: scripts/setup.sh installs Debian's prometheus");
        // Its own archive: the two demos of this assembly run at once, and share a working directory.
        var archive = Directory.CreateTempSubdirectory("broker-demo-prom-");
        using var demo = BrokerProcess.Start(["demo", "--generated", "300", "--rate", "50", "--seconds", "100", "--keep", "--archive", archive.FullName]);
        string? line;
        do
        {
            line = demo.ReadLine(Limit) ?? throw new InvalidOperationException($"the demo did not print its address: {demo.StandardError}");
        }
        while (!line.StartsWith("dashboard ", StringComparison.Ordinal));

        var silo = new Uri(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        var folder = Directory.CreateTempSubdirectory("broker-prometheus-");
        var port = FreePort();
        Process? server = null;
        try
        {
            File.Copy(Path.Combine(Root, "deploy", "prometheus", "alerts.yml"), Path.Combine(folder.FullName, "alerts.yml"));
            File.WriteAllText(Path.Combine(folder.FullName, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - alerts.yml
                scrape_configs:
                  - job_name: broker
                    static_configs:
                      - targets: ["{silo.Authority}"]
                """);
            var info = new ProcessStartInfo(Prometheus) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder.FullName };
            foreach (var arg in new[] { "--config.file=prometheus.yml", $"--web.listen-address=127.0.0.1:{port}", $"--storage.tsdb.path={Path.Combine(folder.FullName, "data")}" })
            {
                info.ArgumentList.Add(arg);
            }

            server = Process.Start(info)!;
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            var board = File.ReadAllText(Path.Combine(Root, "deploy", "grafana", "dashboards", "broker.json"));
            var rules = File.ReadAllText(Path.Combine(Root, "deploy", "prometheus", "alerts.yml"));
            var series = SeriesName().Matches(board + rules).Select(m => m.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            Assert.Contains("broker_ingest_to_publish_milliseconds_bucket", series);
            // Prometheus answers 503 "Service Unavailable" until it has started (slow on a busy machine): wait for it.
            var ready = Stopwatch.StartNew();
            while (!await IsReady(http))
            {
                Assert.True(ready.Elapsed < TimeSpan.FromSeconds(60), "Prometheus did not become ready within 60 s");
                await Task.Delay(250);
            }

            var missing = series.ToList();
            var clock = Stopwatch.StartNew();
            while (missing.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(1000);
                foreach (var name in missing.ToList())
                {
                    if (await Count(http, name) > 0)
                    {
                        missing.Remove(name);
                    }
                }
            }

            Assert.True(missing.Count == 0, $"series the board or the rules use but the silo does not export: {string.Join(", ", missing)}");

            // Every rule evaluated, without error.
            var groups = await Json(http, "api/v1/rules");
            var evaluated = groups.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            Assert.Equal(6, evaluated.Count);
            Assert.All(evaluated, r => Assert.True(r.GetProperty("health").GetString() == "ok", $"rule {r.GetProperty("name")}: {r}"));
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill();
                server.WaitForExit();
            }

            server?.Dispose();
            demo.SendSignal(15);
            demo.WaitForExit(TimeSpan.FromSeconds(60));
            folder.Delete(recursive: true);
        }
    }

    private static async Task<bool> IsReady(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("-/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static async Task<JsonElement> Json(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus answered {(int)response.StatusCode} to {path}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    private static async Task<int> Count(HttpClient http, string name)
    {
        var result = await Json(http, "api/v1/query?query=" + Uri.EscapeDataString($"count({name})"));
        var vector = result.GetProperty("data").GetProperty("result");
        return vector.GetArrayLength() == 0 ? 0 : int.Parse(vector[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"\b(?:broker|process)_[a-z_]+\b")]
    private static partial Regex SeriesName();
}
