using P2PActors.Node.Api.Ws;

namespace P2PActors.Node.Api;

/// <summary>
/// Refuses writes (any method but GET, HEAD and OPTIONS) that a browser sends on behalf of another site's page. A page
/// anywhere on the web could otherwise make the browser of someone running a node on 127.0.0.1 post to it: a form or a
/// <c>fetch(..., { mode: 'no-cors' })</c> with a <c>text/plain</c> body needs no preflight, and rated, shared, moved or
/// filled inventories for any player no session holds. Browsers send <c>Origin</c> with every such request; the
/// node's own page and the origins of <c>--ws-allowed-origins</c> pass, as for the WebSocket, and so do clients that
/// send no <c>Origin</c> (curl, scripts, other nodes), which no page can stand in for.
/// </summary>
public static class CrossSiteWrites
{
    /// <summary>
    /// CORS for the origins of <c>--ws-allowed-origins</c>: without it a browser lets a page from such an origin send
    /// none of the page's HTTP requests that need a preflight (PUT, DELETE, JSON bodies, a bearer token) and read no
    /// answer, though the guard below would let the write through. Nothing is added when no origin is listed: the
    /// node's own page is same-origin and needs none.
    /// </summary>
    public static IServiceCollection AddAllowedOriginsCors(this IServiceCollection services, IReadOnlyList<string> allowed)
    {
        if (allowed.Count == 0)
            return services;
        return services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            // The listed origins only (no Host to compare with here, so a page's own origin is never matched: it needs no CORS).
            .SetIsOriginAllowed(origin => WsOriginPolicy.Allows(origin, default, allowed))
            .WithMethods("GET", "HEAD", "POST", "PUT", "DELETE")
            .WithHeaders("Content-Type", "Authorization")
            .WithExposedHeaders("Location", "X-Cache", "Retry-After")
            // A page's own preflight once per ten minutes, not before every move.
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
    }

    /// <summary>Applies <see cref="AddAllowedOriginsCors"/>'s policy, when there is one.</summary>
    public static WebApplication UseAllowedOriginsCors(this WebApplication app)
    {
        if (app.Services.GetRequiredService<WsSettings>().AllowedOrigins.Count > 0)
            app.UseCors();
        return app;
    }

    /// <summary>A write: any method but GET, HEAD and OPTIONS.</summary>
    public static bool IsWrite(string method) => !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    public static WebApplication UseCrossSiteWriteGuard(this WebApplication app)
    {
        var allowed = app.Services.GetRequiredService<WsSettings>().AllowedOrigins;
        app.Use(async (http, next) =>
        {
            var origin = http.Request.Headers.Origin.ToString();
            if (!IsWrite(http.Request.Method) || WsOriginPolicy.Allows(origin, http.Request.Host, allowed))
            {
                await next(http);
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed.",
                detail: $"A page from '{origin}' may not write to this node: only its own page ({http.Request.Host}) and the origins listed in WsAllowedOrigins may. Nothing was done.")
                .ExecuteAsync(http);
        });
        return app;
    }
}
