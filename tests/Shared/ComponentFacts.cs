namespace P2PActors.Testing;

// The attributes of the component rule (Components.cs); apart from it because the benchmarks compile Components.cs
// for the browser network without referencing xunit.

/// <summary>A fact that needs PostgreSQL (<see cref="Components.PostgresConnectionString"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = Components.SkipUnlessCi(Components.MissingPostgres);
}

/// <summary>A theory that needs PostgreSQL (<see cref="Components.PostgresConnectionString"/>).</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute() => Skip = Components.SkipUnlessCi(Components.MissingPostgres);
}

/// <summary>
/// A fact that needs Debian's Chromium at <see cref="Components.ChromiumPath"/>, run inside a network namespace the test
/// makes (<see cref="Components.MissingNetworkNamespaces"/>).
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute() => Skip = Components.SkipUnlessCi(Components.MissingChromium ?? Components.MissingNetworkNamespaces);
}

/// <summary>A fact that runs the documented shell examples (<see cref="Components.MissingExampleTools"/>).</summary>
public sealed class ExamplesFactAttribute : FactAttribute
{
    public ExamplesFactAttribute() => Skip = Components.SkipUnlessCi(Components.MissingExampleTools);
}

/// <summary>A fact that needs a running Docker engine and docker-compose.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute() => Skip = Components.SkipUnlessCi(Components.MissingDocker);
}
