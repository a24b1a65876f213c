namespace P2PActors.Content.Model;

public enum ContentType { Character, Item, Quest, Map, Dialog }

public enum CharacterClass { Warrior, Mage, Rogue, Cleric, Ranger, Paladin }

public enum BodyType { Slim, Average, Stocky, Tall, Hulking }

public enum ItemKind { Weapon, Armor, Accessory, Consumable }

public enum Rarity { Common, Uncommon, Rare, Epic, Legendary, Mythic }

public enum ObjectiveType { Kill, Fetch, Escort, Explore, Deliver }

public enum Difficulty { Easy, Medium, Hard, Legendary }

public enum MapGenerator { Overworld, Dungeon }

public enum SpawnKind { Player, Enemy, Npc, Treasure }

public enum DialogTone { Friendly, Hostile, Mysterious, Humorous, Formal }
