// `bench e2e --silos N --redis HOST:PORT`: N silos of one Redis-backed cluster in one process, each a member of the
// consumer group, so the cost of a cluster on one machine is a number (docs/performance.md). A short run shows both
// silos publish their share; a second silo without Redis is a one-line error.
namespace Broker.Cli.Tests;

public sealed class BenchClusterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public void Two_silos_of_one_cluster_share_the_partitions_and_the_bench_reports_them()
    {
        using var redis = RedisServer.Start();
        var (code, output, error) = BrokerProcess.Run(Limit, "bench", "e2e", "--silos", "2", "--redis", redis.Configuration,
            "--rates", "150", "--seconds", "4", "--warmup", "300", "--generated", "200");
        Assert.True(code == 0, output + error);
        Assert.Contains("2-silo cluster (Redis)", output, StringComparison.Ordinal);
        var perSilo = output.Split('\n').Single(l => l.StartsWith("published per silo: ", StringComparison.Ordinal))["published per silo: ".Length..].Trim().Split(" / ").Select(long.Parse).ToList();
        Assert.Equal(2, perSilo.Count);
        Assert.All(perSilo, n => Assert.True(n > 0, $"a silo published nothing: {string.Join(" / ", perSilo)}"));
        Assert.Matches(@"bench=e2e mode=silos2\+redis rate_150_per_s=\d+ ", output);
    }

    [Fact]
    public void A_second_silo_without_redis_is_a_one_line_error()
    {
        var (code, _, error) = BrokerProcess.Run(Limit, "bench", "e2e", "--silos", "2");
        Assert.Equal(2, code);
        Assert.Equal("error: --silos is 1..8; above 1 it needs --redis HOST:PORT (a running Redis) and no --alone.", error.Trim());
    }
}
