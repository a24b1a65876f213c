using System.Reflection;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.Architecture;

/// <summary>
/// Consensus depends on the state, never the other way: the state defines what it needs (<see cref="ICatalogAdmission"/>,
/// the opaque <see cref="CatalogProof"/>) and consensus implements it. A state type that names a consensus type again
/// (a header carrying a <see cref="Certificate"/>, a share method taking one) fails here instead of slowly re-growing the cycle.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void No_state_type_names_a_consensus_type_in_its_signatures()
    {
        var stateNamespace = typeof(GameState).Namespace!;
        var consensusNamespace = typeof(Certificate).Namespace!;
        var offences = typeof(GameState).Assembly.GetTypes()
            .Where(t => t.Namespace == stateNamespace)
            .SelectMany(t => Signatures(t).Select(s => (Owner: t, s.Where, s.Type)))
            .SelectMany(s => Flatten(s.Type).Select(named => (s.Owner, s.Where, Named: named)))
            .Where(s => s.Named.Namespace is { } ns && (ns == consensusNamespace || ns.StartsWith(consensusNamespace + ".", StringComparison.Ordinal)))
            .Select(s => $"{s.Owner.FullName}.{s.Where} names {s.Named.FullName}")
            .Distinct()
            .ToList();
        Assert.Empty(offences);
    }

    [Fact]
    public void The_check_sees_a_consensus_type_where_one_is_named()
    {
        // Guards the test above against passing vacuously: the same scan over a consensus type finds the state's types.
        var named = Signatures(typeof(CertificateAdmission)).SelectMany(s => Flatten(s.Type)).ToHashSet();
        Assert.Contains(typeof(CatalogHeader), named);
        Assert.Contains(typeof(ICatalogAdmission), named);
    }

    private static IEnumerable<(string Where, Type Type)> Signatures(Type type)
    {
        if (type.BaseType is { } baseType)
            yield return ("(base)", baseType);
        foreach (var implemented in type.GetInterfaces())
            yield return ("(interface)", implemented);
        foreach (var field in type.GetFields(Declared))
            yield return (field.Name, field.FieldType);
        foreach (var property in type.GetProperties(Declared))
            yield return (property.Name, property.PropertyType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
                yield return (method.Name, info.ReturnType);
            foreach (var parameter in method.GetParameters())
                yield return ($"{method.Name}({parameter.Name})", parameter.ParameterType);
        }
    }

    /// <summary>The type with its element and generic argument types (a list of certificates names Certificate too).</summary>
    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()!))
                yield return inner;
            yield break;
        }
        yield return type;
        if (type.IsGenericType)
            foreach (var argument in type.GetGenericArguments())
                foreach (var inner in Flatten(argument))
                    yield return inner;
    }
}
