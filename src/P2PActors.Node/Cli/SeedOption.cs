using System.CommandLine;
using System.Globalization;
using P2PActors.Content.Generation;

namespace P2PActors.Node.Cli;

/// <summary>The <c>--seed</c> of <c>generate</c> and <c>render</c>: optional, a whole number from 0 to <see cref="Seeds.Max"/>.</summary>
internal static class SeedOption
{
    public static Option<long?> Create(string description) => new("--seed", "-s")
    {
        Description = description,
        // The default parser's error names the CLR type ("System.Nullable`1[System.Int64]"), which tells a user nothing.
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
                return seed;
            result.AddError($"--seed: '{token}' is not a whole number; expected 0 to {Seeds.Max}");
            return null;
        },
    };
}
