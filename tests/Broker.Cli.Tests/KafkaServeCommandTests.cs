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

    // An independent implementation of the Kafka protocol (Debian's pure-Python kafka-python, no librdkafka) in
    // another process lists, writes and reads the embedded cluster.
    private const string PythonClient = """
        import sys
        from kafka import KafkaConsumer, KafkaProducer
        from kafka.admin import KafkaAdminClient
        servers = sys.argv[1].split(',')
        admin = KafkaAdminClient(bootstrap_servers=servers, client_id='python-test')
        topic = admin.describe_topics(['seen'])[0]
        print(len(admin._client.cluster.brokers()), 'brokers')
        print('topic', topic['topic'], 'partitions', len(topic['partitions']))
        producer = KafkaProducer(bootstrap_servers=servers)
        producer.send('seen', b'from-python', partition=2).get(timeout=20)
        producer.close()
        consumer = KafkaConsumer('seen', bootstrap_servers=servers, auto_offset_reset='earliest', consumer_timeout_ms=5000)
        print('read', [m.value.decode() for m in consumer])
        """;

    [Fact]
    public async Task A_pure_python_kafka_client_in_another_process_uses_the_cluster()
    {
        using var server = BrokerProcess.Start(["kafka", "serve", "--brokers", "3", "--topic", "seen:3"]);
        var bootstrap = server.ReadLine(Deadline)!["bootstrap.servers=".Length..];

        var info = new ProcessStartInfo("/usr/bin/python3", ["-c", PythonClient, bootstrap])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(info)!;
        var errors = python.StandardError.ReadToEndAsync();
        var listing = await python.StandardOutput.ReadToEndAsync();
        Assert.True(python.WaitForExit(Deadline), "the Python client did not finish");
        Assert.True(python.ExitCode == 0, $"python3 exited {python.ExitCode}: {await errors}");
        Assert.Contains("3 brokers", listing, StringComparison.Ordinal);
        Assert.Contains("topic seen partitions 3", listing, StringComparison.Ordinal);
        Assert.Contains("read ['from-python']", listing, StringComparison.Ordinal);
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
        Assert.Contains("librdkafka.redist 2.16.0", process.StandardError, StringComparison.Ordinal);
        Assert.Contains("BROKER_LIBRDKAFKA", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_against_an_unknown_host_says_so()
    {
        var (code, _, error) = BrokerProcess.Run(Deadline, "kafka", "check", "--bootstrap", "kafka.invalid:9092", "--timeout", "2");
        Assert.Equal(2, code);
        Assert.Contains("unknown host kafka.invalid", error, StringComparison.Ordinal);
    }
}
