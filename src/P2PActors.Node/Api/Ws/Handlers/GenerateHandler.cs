using System.Text;
using System.Text.Json;
using Akka.Actor;
using P2PActors.Content.Model;
using P2PActors.Node.Configuration;

namespace P2PActors.Node.Api.Ws.Handlers;

/// <summary>
/// <c>generate {contentType, params?, seed?}</c> → <c>generated {content, fromCache}</c>: as <c>POST /api/content/{type}</c>
/// for the session's player, with the same reader and checks.
/// </summary>
public sealed class GenerateHandler(ActorSystem system, NodeOptions options) : IWsHandler
{
    public sealed record Generated(JsonElement Content, bool FromCache);

    public string Type => "generate";

    public IReadOnlyCollection<string> Fields { get; } = ["contentType", "params", "seed"];

    public async Task<WsReply> HandleAsync(WsRequest request, CancellationToken ct)
    {
        var type = request.String("contentType", required: true, $"one of {ContentTypes.Names}");
        if (request.Invalid() is { } invalid)
            return invalid;
        var body = WsBodies.With(request.Body(("seed", "seed"), ("params", "params")), "playerId", request.PlayerId);
        var (read, parameters, errors) = await ContentRequestReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body.GetRawText())), ct);
        var (problem, generated) = await ContentEndpoints.GenerateContentAsync(type!, read, parameters, errors, system, options, ct);
        if (generated is null)
            return WsHttpResults.ToReply(problem!, Type, field => field == "type" ? "contentType" : field);
        using var content = JsonDocument.Parse(ContentJson.SerializeUtf8(generated.Content));
        return WsReply.Answer("generated", new Generated(content.RootElement.Clone(), generated.FromCache));
    }
}
