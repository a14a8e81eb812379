// The filter catalog over HTTP on a silo bound beyond loopback (the guard is built as for 0.0.0.0; the test server
// itself listens on 127.0.0.1): a change without the token is refused from its headers alone (a 10 MB body is never
// sent: the client waits for 100-continue, which the silo never asks for), an oversized body is refused unread, and
// a change with the token goes through to the catalog grain.
using System.Net;
using System.Net.Http.Json;
using Broker.Cluster.Catalog;
using Broker.Cluster.Hosting;
using Broker.Pipeline.Metrics;
using Microsoft.AspNetCore.Builder;

namespace Broker.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class FilterApiTests(ClusterFixture fixture)
{
    // A body of `length` bytes that counts how many of them the client was asked to send.
    private sealed class CountingContent(long length) : HttpContent
    {
        public long Sent;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            for (long left = length; left > 0; left -= chunk.Length)
            {
                var n = (int)Math.Min(chunk.Length, left);
                await stream.WriteAsync(chunk.AsMemory(0, n));
                Interlocked.Add(ref Sent, n);
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }

    [Fact]
    public async Task Beyond_loopback_a_change_is_refused_before_its_body_is_read_and_bodies_are_bounded()
    {
        var builder = WebApplication.CreateSlimBuilder();
        MetricsServer.Listen(builder, "127.0.0.1:0");
        await using var app = builder.Build();
        FilterApi.Map(app, fixture.Client, new WriteGuard("0.0.0.0:9464", "s3cret"));
        var address = await MetricsServer.StartWebAsync(app, "127.0.0.1:0");
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) };
        using var http = new HttpClient(handler) { BaseAddress = address };

        // No token, a 10 MB body: 401 from the headers, not one byte of the body sent.
        var huge = new CountingContent(10L << 20);
        using (var request = new HttpRequestMessage(HttpMethod.Put, "api/filters/big") { Content = huge })
        {
            request.Headers.ExpectContinue = true;
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            await AssertProblem(response, 401, "write token");
        }

        Assert.Equal(0, Interlocked.Read(ref huge.Sent));

        // The token, the same body: too large, refused unread.
        var large = new CountingContent(10L << 20);
        using (var request = new HttpRequestMessage(HttpMethod.Put, "api/filters/big") { Content = large })
        {
            request.Headers.ExpectContinue = true;
            request.Headers.Authorization = new("Bearer", "s3cret");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        Assert.Equal(0, Interlocked.Read(ref large.Sent));

        // The token and a filter: in the catalog; then removed.
        using (var request = new HttpRequestMessage(HttpMethod.Put, "api/filters/api_test_bright") { Content = JsonContent.Create(new { where = "mag < 17", payload = "light" }) })
        {
            request.Headers.Authorization = new("Bearer", "s3cret");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Contains("api_test_bright", await http.GetStringAsync(new Uri("api/filters", UriKind.Relative)), StringComparison.Ordinal);

        // A filter the compiler refuses: a 400 problem with its position; an unknown one to remove: a 404 problem.
        using (var request = new HttpRequestMessage(HttpMethod.Put, "api/filters/api_test_broken") { Content = JsonContent.Create(new { where = "mag <" }) })
        {
            request.Headers.Authorization = new("Bearer", "s3cret");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await AssertProblem(response, 400, "1:");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Delete, "api/filters/api_test_never_added"))
        {
            request.Headers.Authorization = new("Bearer", "s3cret");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await AssertProblem(response, 404, "api_test_never_added");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Delete, "api/filters/api_test_bright"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Delete, "api/filters/api_test_bright"))
        {
            request.Headers.Authorization = new("Bearer", "s3cret");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        }

        await app.StopAsync();
    }

    // RFC 9457: application/problem+json with status, title and detail; the reason also as `error` (the first API's member).
    private static async Task AssertProblem(HttpResponseMessage response, int status, string detailPart)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        var detail = root.GetProperty("detail").GetString()!;
        Assert.Contains(detailPart, detail, StringComparison.Ordinal);
        Assert.Equal(detail, root.GetProperty("error").GetString());
    }
}
