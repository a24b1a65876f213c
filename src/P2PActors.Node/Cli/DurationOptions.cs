using System.CommandLine;

namespace P2PActors.Node.Cli;

/// <summary>
/// Every time flag reads hh:mm:ss or a number of seconds, as <c>simulate --duration</c> always did. The default parser
/// reads a bare number as days (TimeSpan's own format), so <c>--passivation-idle 5</c> kept memories for five days and
/// <c>--header-clock-window 1</c> widened a consensus check to a day without a word.
/// </summary>
internal static class DurationOptions
{
    /// <summary>Gives each <see cref="Option{TimeSpan}"/> under <paramref name="command"/> (its subcommands too) this parser.</summary>
    public static void Apply(Command command)
    {
        foreach (var option in command.Options.OfType<Option<TimeSpan>>())
            option.CustomParser ??= result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (Simulate.SimulateOptions.TryParseDuration(token, out var duration, out var problem))
                    return duration;
                result.AddError($"{option.Name}: {problem}");
                return default;
            };
        foreach (var subcommand in command.Subcommands)
            Apply(subcommand);
    }
}
