// A bound on what a silo's HTTP endpoints read: a request declaring a longer body is answered 413 before any of it
// is read, and one without a declared length (chunked) is cut at the same size by Kestrel. Used in middleware, so
// it acts before an endpoint binds its body (the filter catalog's changes, the dashboard's playground).
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Broker.Cluster.Hosting;

public static class RequestBodyLimit
{
    /// <summary>False when the request was refused (413 written); otherwise its body is capped at <paramref name="maxBytes"/>.</summary>
    /// <param name="what">What the request is, for the error: "a filter change", "a playground request".</param>
    public static async Task<bool> ApplyAsync(HttpContext context, long maxBytes, string what)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength > maxBytes)
        {
            await ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, "body too large", $"{what} is at most {maxBytes} bytes").ExecuteAsync(context).ConfigureAwait(false);
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        return true;
    }
}
