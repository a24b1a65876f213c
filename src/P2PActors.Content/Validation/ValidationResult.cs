namespace P2PActors.Content.Validation;

/// <summary>One broken rule: its stable name, the JSON path of the offending field, and a readable reason.</summary>
public sealed record RuleViolation(string Rule, string Field, string Message)
{
    public override string ToString() => $"{Rule} at {Field}: {Message}";
}

/// <summary>Every rule the content broke (not just the first); valid when there are none.</summary>
public sealed record ValidationResult(bool IsValid, IReadOnlyList<RuleViolation> Violations)
{
    public static readonly ValidationResult Valid = new(true, []);

    /// <summary>The distinct names of the broken rules in the order first found: what a validator's vote carries.</summary>
    public IReadOnlyList<string> Rules => Violations.Select(v => v.Rule).Distinct(StringComparer.Ordinal).ToList();

    public static ValidationResult From(IReadOnlyList<RuleViolation> violations) =>
        violations.Count == 0 ? Valid : new ValidationResult(false, violations);

    public override string ToString() => IsValid ? "valid" : string.Join("; ", Violations);
}
