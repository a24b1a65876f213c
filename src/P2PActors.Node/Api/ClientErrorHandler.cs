using Microsoft.AspNetCore.Diagnostics;

namespace P2PActors.Node.Api;

/// <summary>
/// Answers a request whose body Kestrel could not read — shorter than its Content-Length, broken chunked framing, data
/// arriving too slowly, over the size limit — with the status Kestrel put on the <see cref="BadHttpRequestException"/>
/// (400, 408, 413) and a problem naming <c>body</c>, wherever in an endpoint the body was being read. It is the
/// client's fault, so it is one warning line, not an error with a stack trace: a log an attacker can flood with
/// traces is a fault too. (Handled here, the exception handler middleware records no diagnostics of its own.)
/// </summary>
internal sealed class ClientErrorHandler(ILogger<ClientErrorHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
            return false;
        // Escaped, as sent: no decoded control character (an encoded line break) can start a log line of the client's making.
        log.LogWarning("Refused {Method} {Path}: {Status} {Reason}", http.Request.Method, http.Request.Path.ToUriComponent(), bad.StatusCode, bad.Message);
        await Problems.UnreadableBody(bad.StatusCode, bad.Message).ExecuteAsync(http);
        return true;
    }
}
