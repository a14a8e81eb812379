// What the tests that run `broker run` as a process share: generated alerts on the fixtures' scenes, and a
// configuration for an embedded Kafka with the shipped models (a silo on Redis where asked), written to the test's
// state folder as the broker.json the process is started with.
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Cluster.Hosting;
using Broker.Engine;
using Broker.Pipeline.Configuration;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Tests;

internal static class TestRuns
{
    /// <summary><paramref name="count"/> generated alerts (the same for a seed) on the fixture alerts' scenes.</summary>
    public static List<LabeledAlert> Generated(int seed, int count)
    {
        var library = SceneLibrary.Load([Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts")], new AlertDecoder());
        return [.. new LabeledSetGenerator([.. library.Train, .. library.HeldOut], seed).Generate(0, count)];
    }

    /// <summary>Input &lt;prefix&gt;.in, outputs &lt;prefix&gt;.*, the shipped models, schemas under <paramref name="state"/>.</summary>
    public static BrokerOptions Options(string bootstrap, string group, string prefix, string state) => new()
    {
        Kafka = new KafkaOptions { BootstrapServers = bootstrap, GroupId = group, InputTopics = [prefix + ".in"], OutputPrefix = prefix },
        Schemas = new SchemaOptions { OutputDirectory = Path.Combine(state, "schemas") },
        Models = new ModelOptions { Rb = Path.Combine(AppContext.BaseDirectory, "models", "rb"), Cnn = Path.Combine(AppContext.BaseDirectory, "models", "cnn-int8") },
    };

    /// <summary>A silo whose membership and grain storage are on <paramref name="redis"/>, on free ports, without the Orleans dashboard.</summary>
    public static ClusterOptions OnRedis(RedisServer redis, string id) =>
        new() { Clustering = "redis", Storage = "redis", Redis = redis.Configuration, ClusterId = id, ServiceId = id, SiloPort = 0, GatewayPort = 0, Dashboard = false };

    /// <summary>Writes <paramref name="options"/> as <paramref name="state"/>/broker.json; returns its path.</summary>
    public static string WriteConfig(string state, BrokerOptions options)
    {
        var config = Path.Combine(state, "broker.json");
        File.WriteAllText(config, JsonSerializer.Serialize(options, BrokerOptions.Json));
        return config;
    }
}
