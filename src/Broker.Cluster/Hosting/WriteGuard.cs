// Who may change the cluster over HTTP. A silo bound to loopback trusts its own machine; one bound to any other
// address accepts a change only with the configured token (metrics.write_token) as a bearer token, and with no token
// configured refuses every change. Reading is never guarded (keep the port on a private network).
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Broker.Pipeline.Metrics;
using Microsoft.AspNetCore.Http;

namespace Broker.Cluster.Hosting;

public sealed class WriteGuard(string? listen, string? token)
{
    private readonly bool _loopback = MetricsServer.ParseListen(listen) is { } endpoint && IPAddress.IsLoopback(endpoint.Address);

    /// <summary>Null when the request may write; otherwise the refusal to return.</summary>
    public IResult? Check(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_loopback)
        {
            return null;
        }

        if (token is not { Length: > 0 })
        {
            return ApiProblem.Of(StatusCodes.Status403Forbidden, "changes refused", "this silo listens beyond loopback and has no metrics.write_token: changes over HTTP are refused (use `broker filter` or set a token)");
        }

        var given = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        var ok = given.StartsWith(Bearer, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given[Bearer.Length..]), Encoding.UTF8.GetBytes(token));
        return ok ? null : ApiProblem.Of(StatusCodes.Status401Unauthorized, "write token needed", "a change needs the silo's write token as `Authorization: Bearer TOKEN`");
    }
}
