using Akka.Actor;
using Akka.Cluster;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>The pure rule that decides which Up members count towards the set, from their proofs and the bounded wait.</summary>
public sealed class SetFormationTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static UniqueAddress Member(int port) => new(new Address("akka.tcp", "p2pactors", "127.0.0.1", port), port * 10);

    private static MemberClaims Claims(int port, TimeSpan upFor, params string[] keys) =>
        new(Member(port), Now - upFor, keys.ToHashSet(StringComparer.Ordinal));

    private static string Key(char c) => new(c, 64);

    [Fact]
    public void Every_member_with_one_key_counts_and_nothing_waits()
    {
        var formation = SetFormation.Form([Claims(1, TimeSpan.Zero, Key('a')), Claims(2, TimeSpan.Zero, Key('b'))], Now, Timeout);
        Assert.False(formation.Waiting);
        Assert.Equal([(Member(1), Key('a')), (Member(2), Key('b'))], formation.Proven);
        Assert.Empty(formation.LeftOut);
    }

    [Fact]
    public void A_member_without_a_proof_holds_the_set_back_only_until_its_wait_is_over()
    {
        var within = SetFormation.Form([Claims(1, TimeSpan.FromSeconds(10), Key('a')), Claims(2, TimeSpan.FromSeconds(4.9))], Now, Timeout);
        Assert.True(within.Waiting);
        Assert.Empty(within.LeftOut);

        var over = SetFormation.Form([Claims(1, TimeSpan.FromSeconds(10), Key('a')), Claims(2, TimeSpan.FromSeconds(5))], Now, Timeout);
        Assert.False(over.Waiting);
        Assert.Equal([(Member(1), Key('a'))], over.Proven);
        Assert.Equal("no answer to identity challenges within 5 s", over.LeftOut[Member(2).Address.ToString()]);
    }

    [Fact]
    public void A_member_named_with_two_keys_is_left_out_and_so_are_both_members_that_prove_one_key()
    {
        var formation = SetFormation.Form(
        [
            Claims(1, TimeSpan.Zero, Key('a'), Key('b')),
            Claims(2, TimeSpan.Zero, Key('c')),
            Claims(3, TimeSpan.Zero, Key('c')),
            Claims(4, TimeSpan.Zero, Key('d')),
        ], Now, Timeout);
        Assert.False(formation.Waiting);
        Assert.Equal([(Member(4), Key('d'))], formation.Proven);
        Assert.Equal(SetFormation.SeveralKeys, formation.LeftOut[Member(1).Address.ToString()]);
        Assert.Equal(SetFormation.SharedKey, formation.LeftOut[Member(2).Address.ToString()]);
        Assert.Equal(SetFormation.SharedKey, formation.LeftOut[Member(3).Address.ToString()]);
    }

    [Fact]
    public void A_key_claimed_for_an_honest_member_by_a_second_member_drops_only_that_key()
    {
        // Member 2 also holds a proof naming member 1's incarnation under its own key 'b': 'b' proves two members,
        // so it is dropped, and member 1 is left with its own key alone.
        var formation = SetFormation.Form(
        [
            Claims(1, TimeSpan.Zero, Key('a'), Key('b')),
            Claims(2, TimeSpan.Zero, Key('b')),
        ], Now, Timeout);
        Assert.Equal([(Member(1), Key('a'))], formation.Proven);
        Assert.Equal(SetFormation.SharedKey, formation.LeftOut[Member(2).Address.ToString()]);
    }

    [Fact]
    public void The_outcome_does_not_depend_on_the_order_members_are_listed()
    {
        MemberClaims[] members = [Claims(3, TimeSpan.Zero, Key('c')), Claims(1, TimeSpan.Zero, Key('a')), Claims(2, TimeSpan.FromMinutes(1))];
        var forward = SetFormation.Form(members, Now, Timeout);
        var backward = SetFormation.Form(members.Reverse().ToArray(), Now, Timeout);
        Assert.Equal(forward.Proven, backward.Proven);
        Assert.Equal(forward.LeftOut, backward.LeftOut);
    }
}
