// Changes over HTTP: a loopback silo accepts them; one bound beyond loopback only with its write token, and with
// no token configured never.
using Broker.Cluster.Hosting;
using Microsoft.AspNetCore.Http;

namespace Broker.Cluster.Tests;

public sealed class WriteGuardTests
{
    private static HttpRequest Request(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context.Request;
    }

    private static int? Status(IResult? result) => (result as IStatusCodeHttpResult)?.StatusCode;

    [Fact]
    public void Loopback_needs_no_token()
    {
        Assert.Null(new WriteGuard("127.0.0.1:9464", null).Check(Request(null)));
        Assert.Null(new WriteGuard("[::1]:9464", null).Check(Request(null)));
    }

    [Fact]
    public void Beyond_loopback_a_change_needs_the_token_and_without_one_configured_none_passes()
    {
        Assert.Equal(403, Status(new WriteGuard("0.0.0.0:9464", null).Check(Request("Bearer anything"))));
        var guard = new WriteGuard("0.0.0.0:9464", "s3cret");
        Assert.Equal(401, Status(guard.Check(Request(null))));
        Assert.Equal(401, Status(guard.Check(Request("Bearer wrong"))));
        Assert.Equal(401, Status(guard.Check(Request("s3cret"))));
        Assert.Null(guard.Check(Request("Bearer s3cret")));
    }
}
