using Broker.Kafka.Native;

namespace Broker.Kafka.Tests;

public sealed class LibrdkafkaLoaderTests
{
    [Fact]
    public void The_redist_library_of_the_expected_version_loads_from_the_application_folder()
    {
        Assert.NotEqual(IntPtr.Zero, LibrdkafkaLoader.EnsureLoaded());
        var path = LibrdkafkaLoader.LoadedPath;
        Assert.NotNull(path);
        Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal);
        Assert.Equal(LibrdkafkaLoader.ExpectedVersionText, Embedded.EmbeddedKafkaCluster.LibrdkafkaVersion);
    }

    [Fact]
    public void Confluent_client_uses_the_pinned_library()
    {
        LibrdkafkaLoader.EnsureLoaded();
        Assert.Equal(LibrdkafkaLoader.ExpectedVersion, Confluent.Kafka.Library.Version);
        Assert.Equal("2.16.0", LibrdkafkaLoader.ExpectedVersionText);
    }

    [Fact]
    public void Candidates_are_full_paths_in_the_application_folder_never_bare_names()
    {
        var candidates = LibrdkafkaLoader.Candidates(null, "/opt/broker");
        var rid = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        Assert.Equal(
            [
                "/opt/broker/librdkafka.so", "/opt/broker/centos8-librdkafka.so",
                $"/opt/broker/runtimes/{rid}/native/librdkafka.so", $"/opt/broker/runtimes/{rid}/native/centos8-librdkafka.so",
            ],
            candidates);
        Assert.All(candidates, c => Assert.True(Path.IsPathFullyQualified(c)));
        Assert.Equal(candidates, LibrdkafkaLoader.Candidates("  ", "/opt/broker"));
        Assert.Equal(["/x/lib.so"], LibrdkafkaLoader.Candidates("/x/lib.so", "/opt/broker"));
    }

    [Fact]
    public void A_missing_library_gives_a_message_naming_the_fix()
    {
        var candidates = LibrdkafkaLoader.Candidates("/nonexistent/librdkafka.so.1", AppContext.BaseDirectory);
        Assert.False(LibrdkafkaLoader.TryLoadAny(candidates, out var handle, out _, out var errors));
        Assert.Equal(IntPtr.Zero, handle);
        var message = LibrdkafkaLoader.DescribeMissing(candidates, errors);
        Assert.Contains("librdkafka.redist 2.16.0", message, StringComparison.Ordinal);
        Assert.Contains(LibrdkafkaLoader.PathVariable, message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/librdkafka.so.1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_of_another_version_is_refused_with_the_fix()
    {
        var message = LibrdkafkaLoader.DescribeWrongVersion("/usr/lib/x86_64-linux-gnu/librdkafka.so.1", 0x020002ff);
        Assert.Contains("librdkafka 2.0.2", message, StringComparison.Ordinal);
        Assert.Contains("tested with 2.16.0", message, StringComparison.Ordinal);
        Assert.Contains(LibrdkafkaLoader.PathVariable, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_library_is_reported()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not an ELF file");
            Assert.False(LibrdkafkaLoader.TryLoadAny([path], out _, out _, out var errors));
            Assert.Contains(path, Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
