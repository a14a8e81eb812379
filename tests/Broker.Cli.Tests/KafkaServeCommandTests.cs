using System.Diagnostics;
using Confluent.Kafka;

namespace Broker.Cli.Tests;

/// <summary>`broker kafka serve` as another process: a real cluster for clients elsewhere, stopped by a signal.</summary>
public sealed class KafkaServeCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const int SigTerm = 15;
    private const int SigInt = 2;

    [Theory]
    [InlineData(SigTerm)]
    [InlineData(SigInt)]
    public async Task Serves_clients_in_other_processes_and_stops_cleanly_on_a_signal(int signal)
    {
        using var server = BrokerProcess.Start(["kafka", "serve", "--brokers", "2", "--topic", "alerts:4", "--topic", "other:2"]);
        var first = server.ReadLine(Deadline) ?? throw new InvalidOperationException($"no output. stderr: {server.StandardError}");
        Assert.StartsWith("bootstrap.servers=", first, StringComparison.Ordinal);
        var bootstrap = first["bootstrap.servers=".Length..];
        Assert.Equal(2, bootstrap.Split(',').Length);
        Assert.Equal("topic alerts partitions=4", server.ReadLine(Deadline));
        Assert.Equal("topic other partitions=2", server.ReadLine(Deadline));

        // A client in this process produces to every partition and reads it back.
        Kafka.Native.LibrdkafkaLoader.EnsureLoaded();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            for (var p = 0; p < 4; p++)
            {
                var r = await producer.ProduceAsync(new TopicPartition("alerts", p), new Message<Null, string> { Value = $"m{p}" });
                Assert.Equal(PersistenceStatus.Persisted, r.Status);
            }
        }

        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "serve-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 10,
        }).Build())
        {
            consumer.Subscribe("alerts");
            var values = new HashSet<string>();
            var clock = Stopwatch.StartNew();
            while (values.Count < 4 && clock.Elapsed < Deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } m)
                {
                    values.Add(m.Message.Value);
                }
            }

            Assert.Equal(["m0", "m1", "m2", "m3"], values.Order());
            consumer.Close();
        }

        server.SendSignal(signal);
        Assert.Equal(0, server.WaitForExit(Deadline));
    }

    [Fact]
    public void Kcat_from_debian_sees_the_cluster()
    {
        using var server = BrokerProcess.Start(["kafka", "serve", "--brokers", "3", "--topic", "seen:3"]);
        var bootstrap = server.ReadLine(Deadline)!["bootstrap.servers=".Length..];

        var info = new ProcessStartInfo("kcat", ["-b", bootstrap, "-L", "-t", "seen", "-m", "10"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kcat = Process.Start(info)!;
        var listing = kcat.StandardOutput.ReadToEnd();
        Assert.True(kcat.WaitForExit(Deadline), "kcat did not finish");
        Assert.Equal(0, kcat.ExitCode);
        Assert.Contains("3 brokers", listing, StringComparison.Ordinal);
        Assert.Contains("topic \"seen\" with 3 partitions", listing, StringComparison.Ordinal);
        server.SendSignal(SigTerm);
        Assert.Equal(0, server.WaitForExit(Deadline));
    }

    [Fact]
    public void Serve_stops_by_itself_after_the_given_time()
    {
        var (code, output, _) = BrokerProcess.Run(Deadline, "kafka", "serve", "--brokers", "1", "--seconds", "0.5");
        Assert.Equal(0, code);
        Assert.Contains("Embedded Kafka stopped.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_topic_spec_is_a_one_line_error_with_exit_code_2()
    {
        var (code, _, error) = BrokerProcess.Run(Deadline, "kafka", "serve", "--topic", "alerts:zero");
        Assert.Equal(2, code);
        Assert.StartsWith("error: Topic 'alerts:zero'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_native_library_names_the_fix()
    {
        using var process = BrokerProcess.Start(["kafka", "serve"], new Dictionary<string, string> { ["BROKER_LIBRDKAFKA"] = "/nonexistent/librdkafka.so.1" });
        Assert.Equal(2, process.WaitForExit(Deadline));
        Assert.Contains("apt-get install librdkafka1", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_against_an_unknown_host_says_so()
    {
        var (code, _, error) = BrokerProcess.Run(Deadline, "kafka", "check", "--bootstrap", "kafka.invalid:9092", "--timeout", "2");
        Assert.Equal(2, code);
        Assert.Contains("unknown host kafka.invalid", error, StringComparison.Ordinal);
    }
}
