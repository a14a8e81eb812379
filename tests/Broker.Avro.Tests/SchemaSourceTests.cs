using System.Net;
using System.Text;
using Broker.Avro.Framing;
using Broker.Avro.Schema;

namespace Broker.Avro.Tests;

public sealed class SchemaSourceTests
{
    [Fact]
    public void Confluent_frames_carry_a_big_endian_schema_id()
    {
        var framed = ConfluentFrame.Frame(704, [1, 2, 3]);
        Assert.Equal(new byte[] { 0, 0, 0, 2, 0xc0, 1, 2, 3 }, framed);
        Assert.Equal(704, ConfluentFrame.ReadSchemaId(framed));
        Assert.Throws<AvroDecodeException>(() => ConfluentFrame.ReadSchemaId([1, 0, 0, 0, 0]));
        Assert.Throws<AvroDecodeException>(() => ConfluentFrame.ReadSchemaId([0, 0]));
    }

    [Fact]
    public async Task Registry_client_fetches_each_id_once_and_reports_unknown_ids()
    {
        using var listener = new HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref requests);
                var found = context.Request.Url!.AbsolutePath == "/schemas/ids/7";
                context.Response.StatusCode = found ? 200 : 404;
                var body = found ? """{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}"}""" : """{"error_code":40403}""";
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });

        using var client = new SchemaRegistryClient(new Uri($"http://127.0.0.1:{port}"));
        var first = await client.GetAsync(7);
        var second = await client.GetAsync(7);
        Assert.Same(first, second);
        Assert.Equal("R", ((RecordSchema)first).FullName);
        var e = await Assert.ThrowsAsync<SchemaNotFoundException>(async () => await client.GetAsync(8));
        Assert.Equal(8, e.SchemaId);
        Assert.Equal(2, Volatile.Read(ref requests));
        listener.Stop();
        await serving;
    }

    [Fact]
    public async Task Local_directory_reads_id_files_and_versioned_multi_file_folders()
    {
        var root = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, "12.avsc"), "\"string\"");
            var v = Directory.CreateDirectory(Path.Combine(root.FullName, "lsst", "v7_4"));
            // The root refers to a type defined in another file, as Rubin's schema folders do.
            File.WriteAllText(Path.Combine(v.FullName, "a.alert.avsc"), """{"type":"record","name":"alert","namespace":"x.v7_4","fields":[{"name":"s","type":"x.v7_4.diaSource"}]}""");
            File.WriteAllText(Path.Combine(v.FullName, "b.diaSource.avsc"), """{"type":"record","name":"diaSource","namespace":"x.v7_4","fields":[{"name":"id","type":"long"}]}""");
            var dir = new LocalSchemaDirectory(root.FullName);
            Assert.Equal(AvroType.String, (await dir.GetAsync(12)).Type);
            var alert = (RecordSchema)await dir.GetAsync(704);
            Assert.Equal("x.v7_4.alert", alert.FullName);
            Assert.Equal("x.v7_4.diaSource", ((RecordSchema)alert.Fields[0].Schema).FullName);
            Assert.Throws<SchemaNotFoundException>(() => dir.GetAsync(13).AsTask().GetAwaiter().GetResult());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
