// deploy/ and docker-compose.yml stay valid: Debian's docker-compose parses and interpolates the compose file (no
// container engine runs here), and the services it names are the ones docs/operations.md describes.
using System.Diagnostics;

namespace Broker.Cli.Tests;

public sealed class DeployTests
{
    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("docker-compose.yml not found above the test folder");
        }
    }

    private static (int Code, string Output, string Error) Compose(params string[] args)
    {
        const string Binary = "/usr/bin/docker-compose";
        Assert.True(File.Exists(Binary), $"{Binary} is missing: scripts/setup.sh installs Debian's docker-compose");
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(Path.Combine(Root, "docker-compose.yml"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["BROKER_DOTNET_REGISTRY"] = "localhost:5000";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "docker-compose config did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void The_compose_file_is_valid_and_names_kafka_redis_two_silos_and_prometheus()
    {
        var (code, _, error) = Compose("config", "-q");
        Assert.True(code == 0, error);
        var (_, services, _) = Compose("config", "--services");
        Assert.Equal(["broker-1", "broker-2", "grafana", "kafka", "prometheus", "redis"], services.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var (_, resolved, _) = Compose("config");
        Assert.Contains("DOTNET_REGISTRY: localhost:5000", resolved, StringComparison.Ordinal);
        Assert.Contains("KAFKA_PROCESS_ROLES: broker,controller", resolved, StringComparison.Ordinal); // KRaft, no ZooKeeper
        Assert.True(File.Exists(Path.Combine(Root, "deploy", "Dockerfile")));
        Assert.Contains("broker-2:9464", File.ReadAllText(Path.Combine(Root, "deploy", "prometheus", "prometheus.yml")), StringComparison.Ordinal);

        // The board Grafana provisions is JSON with the broker's panels.
        using var board = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy", "grafana", "dashboards", "broker.json")));
        Assert.Equal("broker-overview", board.RootElement.GetProperty("uid").GetString());
        Assert.True(board.RootElement.GetProperty("panels").GetArrayLength() >= 8);
    }

    [Fact]
    public async Task Promtool_accepts_the_scrape_configuration_and_the_alert_rules()
    {
        const string Promtool = "/usr/bin/promtool";
        Assert.True(File.Exists(Promtool), $"{Promtool} is missing: scripts/setup.sh installs Debian's prometheus");
        var info = new ProcessStartInfo(Promtool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.Combine(Root, "deploy", "prometheus") };
        info.ArgumentList.Add("check");
        info.ArgumentList.Add("config");
        info.ArgumentList.Add("prometheus.yml");
        using var process = Process.Start(info)!;
        var said = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.True(process.ExitCode == 0, said);
        Assert.Contains("SUCCESS: 6 rules found", said, StringComparison.Ordinal);
    }
}
