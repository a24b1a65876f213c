namespace P2PActors.Content.Model;

/// <summary>The one-character tile alphabet of <see cref="GameMap.Rows"/>.</summary>
public static class Tiles
{
    public const char Grass = 'g';
    public const char Forest = 'f';
    public const char Water = 'w';
    public const char Mountain = 'm';
    public const char Desert = 'd';
    public const char Floor = '.';
    public const char Wall = '#';

    public static readonly IReadOnlyList<char> All = [Grass, Forest, Water, Mountain, Desert, Floor, Wall];

    public static bool IsWalkable(char tile) => tile is Grass or Forest or Desert or Floor;
}
