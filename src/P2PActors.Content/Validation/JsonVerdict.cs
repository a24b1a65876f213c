using P2PActors.Content.Model;

namespace P2PActors.Content.Validation;

/// <summary>
/// A validator's verdict on a proposal's JSON (<see cref="ContentValidator.CheckJson"/>).
/// </summary>
/// <param name="Content">The content as parsed, with the id its JSON carries; null when the JSON could not be parsed.</param>
/// <param name="Result">Every rule the content breaks when checked under the claimed id; null when it could not be parsed.</param>
/// <param name="IdMatches">Whether the id inside the JSON is the claimed id.</param>
/// <param name="ParseError">Why the JSON could not be parsed, when it could not.</param>
public sealed record JsonVerdict(GameContent? Content, ValidationResult? Result, bool IdMatches, string? ParseError)
{
    public bool Parsed => Content is not null;

    /// <summary>Parsed, no rule broken, and the JSON's own id is the claimed one (which the rules proved is its hash).</summary>
    public bool IsApproved => Result is { IsValid: true } && IdMatches;
}
