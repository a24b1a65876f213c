using System.Collections.Concurrent;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Serialization;

/// <summary>
/// System.Text.Json serializer for every <see cref="IP2PMessage"/>. The manifest is the type's full name,
/// and only types that implement <see cref="IP2PMessage"/> in this assembly are ever instantiated, so a peer
/// cannot make us deserialize an arbitrary type.
/// </summary>
public sealed class P2PJsonSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 5180;

    private static readonly IReadOnlyDictionary<string, Type> KnownTypes = typeof(IP2PMessage).Assembly
        .GetTypes()
        .Where(t => typeof(IP2PMessage).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface && !t.ContainsGenericParameters)
        .ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    /// <summary>
    /// The options every message is written with, short of actor references (those need an actor system). Values
    /// that travel embedded as opaque JSON (a catalog header's proof) are written with these, so they carry the
    /// same bytes as when they were typed properties of the message.
    /// </summary>
    public static readonly JsonSerializerOptions ValueOptions = CreateValueOptions();

    private readonly JsonSerializerOptions _options;
    private readonly ConcurrentDictionary<Type, string> _manifests = new();
    /// <summary>Looked up at the first read: serializers are made while the actor system starts.</summary>
    private InboundFilter? _inbound;

    private static JsonSerializerOptions CreateValueOptions()
    {
        var options = new JsonSerializerOptions(ContentJson.Options)
        {
            IncludeFields = false,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public P2PJsonSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions(ValueOptions);
        _options.Converters.Add(new ActorRefConverter(system));
        _options.MakeReadOnly(populateMissingResolver: true);
    }

    public override int Identifier => SerializerId;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!KnownTypes.TryGetValue(manifest, out var type))
            throw new SerializationException($"Unknown P2PActors message type '{manifest}'.");
        var value = JsonSerializer.Deserialize(bytes, type, _options)
                    ?? throw new SerializationException($"Empty payload for '{manifest}'.");
        return (_inbound ??= InboundFilter.For(system)).Apply(value);
    }

    public override string Manifest(object o) => _manifests.GetOrAdd(o.GetType(), t => t.FullName!);

    /// <summary>Actor references travel as their full serialized path and resolve on the receiving system.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var path = reader.GetString();
            return string.IsNullOrEmpty(path) ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
        }

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}
