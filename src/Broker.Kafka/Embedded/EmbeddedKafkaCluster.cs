// An in-process Kafka cluster for tests, demos and `broker kafka serve`, built on librdkafka's mock cluster.
//
// The mock speaks the real Kafka protocol over loopback TCP (random ports), so clients in this process and in
// other processes (any Kafka client) use it like a real cluster, including KIP-848's consumer group protocol.
// Known limits of librdkafka 2.16's mock (measured, see docs/operations.md): ~5 MiB retained per partition (older
// messages vanish), no transaction isolation, offset commits rejected while a group re-forms, admin CreateTopics
// unsupported (topics are created here instead).
using Broker.Kafka.Native;

namespace Broker.Kafka.Embedded;

/// <summary>A running mock Kafka cluster. Dispose to stop it; its ports close with it.</summary>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    /// <summary>Retention the mock keeps per partition (hard-coded in librdkafka's mock, 2.0.2 to 2.16): producers must hold back.</summary>
    public const long RetainedBytesPerPartition = 5L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _topics = new(StringComparer.Ordinal);
    private IntPtr _handle;
    private readonly IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr handle, IntPtr cluster, int brokerCount, string bootstrapServers)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>host:port</c> list to give clients as bootstrap.servers.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the cluster runs (broker ids 1..N).</summary>
    public int BrokerCount { get; }

    /// <summary>The topics created through this object, with their partition counts.</summary>
    public IReadOnlyDictionary<string, int> Topics
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_topics, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers and creates <paramref name="topics"/> on it.</summary>
    public static EmbeddedKafkaCluster Start(int brokers = 3, IEnumerable<TopicSpec>? topics = null)
    {
        if (brokers is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(brokers), brokers, "An embedded cluster has 1 to 32 brokers.");
        }

        LibrdkafkaLoader.EnsureLoaded();
        var errstr = new byte[512];
        var conf = RdKafkaMockApi.ConfNew();
        try
        {
            Set(conf, "test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture), errstr);
            // The handle exists only to own the mock; keep its own logging to real errors.
            Set(conf, "log_level", "3", errstr);
        }
        catch
        {
            RdKafkaMockApi.ConfDestroy(conf);
            throw;
        }

        var handle = RdKafkaMockApi.New(RdKafkaMockApi.ProducerType, conf, errstr, (nuint)errstr.Length);
        if (handle == IntPtr.Zero)
        {
            RdKafkaMockApi.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not start its mock cluster: {RdKafkaMockApi.ErrstrText(errstr)}");
        }

        var cluster = RdKafkaMockApi.HandleMockCluster(handle);
        if (cluster == IntPtr.Zero)
        {
            RdKafkaMockApi.Destroy(handle);
            throw new InvalidOperationException("librdkafka returned no mock cluster for a handle configured with test.mock.num.brokers.");
        }

        var bootstrap = RdKafkaMockApi.Utf8(RdKafkaMockApi.MockClusterBootstraps(cluster));
        var result = new EmbeddedKafkaCluster(handle, cluster, brokers, bootstrap);
        try
        {
            foreach (var topic in topics ?? [])
            {
                result.CreateTopic(topic.Name, topic.Partitions);
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }

        return result;
    }

    /// <summary>Creates a topic (replication factor 1). Creating an existing topic with the same count is a no-op.</summary>
    public void CreateTopic(string name, int partitions = TopicSpec.DefaultPartitions)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TopicSpec.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a legal Kafka topic name.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            if (_topics.TryGetValue(name, out var existing))
            {
                if (existing != partitions)
                {
                    throw new InvalidOperationException($"Topic '{name}' already exists with {existing} partitions, not {partitions}.");
                }

                return;
            }

            var err = RdKafkaMockApi.MockTopicCreate(_cluster, name, partitions, 1);
            if (err != 0)
            {
                throw new InvalidOperationException($"Could not create topic '{name}': {RdKafkaMockApi.ErrorText(err)}");
            }

            _topics[name] = partitions;
        }
    }

    /// <summary>Takes a broker down (its connections drop, its partitions become unavailable) to test failures.</summary>
    public void SetBrokerDown(int brokerId) => CheckBroker(brokerId, RdKafkaMockApi.MockBrokerSetDown);

    /// <summary>Brings a broker taken down with <see cref="SetBrokerDown"/> back.</summary>
    public void SetBrokerUp(int brokerId) => CheckBroker(brokerId, RdKafkaMockApi.MockBrokerSetUp);

    /// <summary>librdkafka's version string (the mock's behaviour depends on it).</summary>
    public static string LibrdkafkaVersion
    {
        get
        {
            LibrdkafkaLoader.EnsureLoaded();
            return RdKafkaMockApi.Utf8(RdKafkaMockApi.VersionString());
        }
    }

    public void Dispose()
    {
        IntPtr handle;
        lock (_gate)
        {
            handle = _handle;
            _handle = IntPtr.Zero;
        }

        if (handle != IntPtr.Zero)
        {
            // rd_kafka_destroy joins the mock's threads and closes its listeners.
            RdKafkaMockApi.Destroy(handle);
        }
    }

    private void CheckBroker(int brokerId, Func<IntPtr, int, int> call)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerId, BrokerCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            var err = call(_cluster, brokerId);
            if (err != 0)
            {
                throw new InvalidOperationException($"Mock broker {brokerId}: {RdKafkaMockApi.ErrorText(err)}");
            }
        }
    }

    private static void Set(IntPtr conf, string name, string value, byte[] errstr)
    {
        if (RdKafkaMockApi.ConfSet(conf, name, value, errstr, (nuint)errstr.Length) != RdKafkaMockApi.ConfOk)
        {
            throw new InvalidOperationException($"librdkafka rejected {name}={value}: {RdKafkaMockApi.ErrstrText(errstr)}");
        }
    }
}
