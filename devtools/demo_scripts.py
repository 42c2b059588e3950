"""The demo's table and what is said at it: who plays whom (roles, players, characters,
their weapons and dice), the scripted scenes of the two demo sessions and the fights
between them. devtools/demo_transcripts.py turns them into timed transcripts.
"""

from dataclasses import dataclass

# Roles in the scripts; each transcript says which label each role has.
GM, ROGUE, CLERIC, SORCERER, BARBARIAN = "gm", "rogue", "cleric", "sorcerer", "barbarian"
ROLES = (GM, ROGUE, CLERIC, SORCERER, BARBARIAN)


@dataclass(frozen=True)
class Member:
    player: str
    character: str
    weapon: str
    bonus: int  # to hit
    damage: str  # dice, as said at the table


TABLE = {
    GM: Member("Sam", "", "", 0, ""),
    ROGUE: Member("Ana", "Mira Thornwood", "rapier", 7, "1d8 plus 4, plus sneak attack 3d6"),
    CLERIC: Member("Ben", "Brother Aldric", "warhammer", 5, "1d8 plus 3"),
    SORCERER: Member("Chloé", "Zephyr", "fire bolt", 6, "2d10 fire"),
    BARBARIAN: Member("Dev", "Grunk", "greataxe", 6, "1d12 plus 4, plus 2 for rage"),
}

# --- scripts: (role, line); "{name}" lines are filled in --------------------------------------
FRIEND_IN_NEED = [
    [  # at the Yawning Portal
        (GM, "Okay, is everyone here? Dev, can you hear us?"),
        (BARBARIAN, "Loud and clear. Sorry, the cat walked over the keyboard."),
        (GM, "No worries. Last time you had just arrived in Waterdeep, and you're sitting in the Yawning Portal."),
        (
            GM,
            "The taproom is packed. In the middle there's the well, seventy feet across, that goes down into Undermountain.",
        ),
        (ROGUE, "Mira sits with her back to the wall, obviously. Where can she see the door from?"),
        (
            GM,
            "The corner by the fireplace. Durnan, the owner, is behind the bar polishing a tankard that is already clean.",
        ),
        (CLERIC, "Aldric orders a pot of tea. Do they serve tea here?"),
        (GM, "Durnan looks at you for a long second and says, we have ale, and we have stronger ale."),
        (CLERIC, "Then the weaker one, please. For my sins."),
        (SORCERER, "Zephyr is watching the well. Does anything come out of it?"),
        (GM, "Funny you should ask. There's a scraping sound, and a troll pulls itself over the rim of the well."),
        (BARBARIAN, "Grunk stands up. Grunk has been waiting all day for this."),
        (GM, "Hold on, hold on. Roll initiative, everybody."),
    ],
    [  # Volo's offer
        (
            GM,
            "The troll is down, and the adventurers by the bar are cheering. A man in a purple cloak comes over to your table.",
        ),
        (
            GM,
            "He bows very low and says, Volothamp Geddarm, author, sage, and I must say, a great admirer of your work with the troll.",
        ),
        (ROGUE, "Mira checks that her purse is still where she left it."),
        (GM, "It is. Volo sits down without being asked. A friend of mine has gone missing, he says. Floon Blagmaar."),
        (CLERIC, "Aldric puts the tea down. Missing since when?"),
        (GM, "Two nights ago. He was drinking at the Skewered Dragon, down by the docks, and he never came home."),
        (SORCERER, "And why don't you go and look for him yourself?"),
        (
            GM,
            "Volo laughs. My dear, I am a writer. I describe danger, I do not attend it. I can pay ten gold each, now.",
        ),
        (BARBARIAN, "Ten gold. Grunk wants twenty."),
        (GM, "Roll me a persuasion check, Dev. Or intimidation, if that's what Grunk is doing."),
        (BARBARIAN, "Intimidation. That's a 17."),
        (
            GM,
            "Volo swallows and says, twenty-five, and not a copper more, and could you please stop looking at me like that.",
        ),
        (ROGUE, "Deal. What does Floon look like?"),
        (GM, "Handsome, not very bright, wears fine clothes. He was with a friend, Renaer Neverember."),
        (SORCERER, "Neverember, like the old Open Lord? That's a name."),
        (GM, "Exactly that Neverember. Volo says Renaer is his son, and they don't talk."),
    ],
    [  # on the way to the docks
        (GM, "It's late afternoon when you leave the Yawning Portal. Waterdeep is busy: carts, gulls, a town crier."),
        (CLERIC, "Aldric asks the crier if there's any news about missing people."),
        (
            GM,
            "The crier says, missing people? In the Dock Ward? Every night, friend. Then he shouts the price of fish.",
        ),
        (SORCERER, "Zephyr buys a map of the city from a stall. I want to know where the Skewered Dragon is."),
        (GM, "Two silver. The map shows the docks, the Field Ward, and a big blank spot marked Here Be Sewers."),
        (BARBARIAN, "Grunk likes this map."),
        (ROGUE, "Mira notices if anyone is following us. Perception, 15."),
        (
            GM,
            "A halfling with a pipe has been behind you for three streets. When you look, he tips his hat and goes into a bakery.",
        ),
        (ROGUE, "Mira makes a note of his face. We'll see him again, I bet."),
        (GM, "You'd win that bet. The sun is going down over the harbour when you reach the docks."),
    ],
    [  # the Skewered Dragon
        (
            GM,
            "The Skewered Dragon is a dockside dive. The sign is a dragon with a harpoon through it, which is not reassuring.",
        ),
        (ROGUE, "Mira goes in first and looks for whoever runs the place."),
        (GM, "There's a barkeep with one eye and a parrot. Make me an insight check as you walk up."),
        (ROGUE, "Fourteen."),
        (
            GM,
            "You can tell she recognises the description of Floon the moment you give it, and that she doesn't like the question.",
        ),
        (CLERIC, "Aldric puts a silver piece on the bar. We only want to know he's alive."),
        (
            GM,
            "She takes the coin. He left with the young Neverember, and five Zhents followed them out. That's all I know.",
        ),
        (SORCERER, "The Zhentarim. Of course it's the Zhentarim."),
        (BARBARIAN, "Who are the Zhentarim?"),
        (SORCERER, "The Black Network. Mercenaries, smugglers, very good at looking like honest merchants."),
        (GM, "Someone at a corner table gets up and leaves in a hurry when you say the word Zhent."),
        (ROGUE, "Mira follows him. Stealth is 22."),
        (GM, "He never sees you. He walks three streets to a warehouse on Candle Lane, knocks twice, and goes in."),
        (ROGUE, "Mira comes back and tells the others. We found them, or at least we found somebody."),
    ],
    [  # the warehouse
        (GM, "The warehouse on Candle Lane has a big front door, a side door, and a loading hatch on the roof."),
        (ROGUE, "Can I check the side door for traps?"),
        (GM, "Sure, investigation."),
        (ROGUE, "Nineteen."),
        (GM, "No trap, but the lock is good. Thieves' tools, with advantage since you have time."),
        (ROGUE, "Twenty-one and eight. I'll take the twenty-one."),
        (GM, "Click. Inside it smells of fish and lamp oil. You hear voices upstairs and something being dragged."),
        (CLERIC, "Aldric whispers a prayer, Bless on Mira, Grunk and Zephyr."),
        (BARBARIAN, "Grunk does not whisper. Grunk kicks the inner door in."),
        (SORCERER, "Of course he does."),
        (
            GM,
            "It's not the Zhentarim in there. It's a gang with a tattoo of an eye on their arms, and they have a kenku with them.",
        ),
        (SORCERER, "An eye. That's the Xanathar's guild. This just got worse."),
        (GM, "Initiative again. The kenku screams something in a voice that sounds exactly like Volo's."),
    ],
    [  # after the fight: Renaer
        (
            GM,
            "The last thug drops his club and runs. Upstairs you find a young man tied to a chair, bruised but alive.",
        ),
        (CLERIC, "Aldric cuts him loose and lays a hand on him. Cure wounds, that's 9 hit points."),
        (GM, "He says thank you, I'm Renaer. They took Floon, they thought he was me. We were wearing the same cloak."),
        (ROGUE, "Where did they take him?"),
        (
            GM,
            "The sewers, he thinks. He heard them say the Xanathar wants the stone, and that Floon would be made to talk.",
        ),
        (SORCERER, "The stone. What stone?"),
        (
            GM,
            "Renaer goes a bit pale and says, I think they mean my father's money. Half a million dragons, hidden somewhere in this city.",
        ),
        (BARBARIAN, "Half a million. Grunk is listening now."),
        (GM, "Everyone at the table just sat up, I saw that."),
        (CLERIC, "Aldric says we take you home first, and then we find Floon."),
        (GM, "Good place to stop. Great session, everyone. You all get your level two next time."),
        (ROGUE, "Same time next week?"),
        (GM, "Same time next week. Don't forget to write down the twenty-five gold Volo owes you."),
    ],
]

TROLLSKULL_ALLEY = [
    [  # previously on
        (GM, "Right, let's get started. Quick recap: who remembers how last session ended?"),
        (ROGUE, "We rescued Renaer from the Xanathar's thugs, and they still have Floon somewhere in the sewers."),
        (
            CLERIC,
            "And there's half a million gold dragons hidden somewhere, which Grunk has not stopped talking about.",
        ),
        (BARBARIAN, "It is a lot of gold."),
        (
            GM,
            "It is. You brought Renaer home, and this morning he sends you a note: meet me at the Yawning Portal, I can help.",
        ),
        (SORCERER, "Zephyr goes, but she keeps a fire bolt ready. Just in case."),
        (
            GM,
            "Renaer is waiting with a map. He says, the Xanathar has a hideout under the old Dock Ward, near a sewer junction.",
        ),
        (ROGUE, "How does he know that?"),
        (GM, "He smiles and says, when your father was Open Lord, you learn who to pay for information."),
    ],
    [  # shopping
        (GM, "Before you go underground, does anyone want to buy anything? The Market is on the way."),
        (CLERIC, "Aldric needs holy water and a new holy symbol. The old one got troll on it."),
        (GM, "The temple of Lathander sells both. Twenty-five gold for the holy water, five for the symbol."),
        (SORCERER, "Zephyr wants a lantern and fifty feet of rope. Sewers are dark and deep."),
        (BARBARIAN, "Grunk wants a new shirt. The grell ate the last one."),
        (GM, "You haven't met the grell yet, Dev."),
        (BARBARIAN, "Grunk plans ahead."),
        (ROGUE, "Mira buys a crowbar and a bag of caltrops, and a pie from the halfling's bakery."),
        (
            GM,
            "The halfling with the pipe is there, eating a pie too. He says, the Xanathar has eyes everywhere, friends. Even in bakeries.",
        ),
        (ROGUE, "Mira sits down next to him. Who are you working for?"),
        (
            GM,
            "He smiles and says, people who would like the Xanathar to have a very bad week. Then he pays for your pie and leaves.",
        ),
    ],
    [  # the sewers
        (GM, "The sewer entrance is a grate behind a fishmonger's. It's dark and the water is knee-deep."),
        (SORCERER, "Zephyr lights the end of her staff. Light cantrip."),
        (GM, "The tunnel splits three ways. On the left wall someone has scratched a small eye."),
        (ROGUE, "Mira follows the eye. Can I look for tracks in the muck?"),
        (GM, "Survival check."),
        (ROGUE, "Only an eleven."),
        (GM, "You see lots of footprints going left, and something dragged. Could be a body, could be a crate."),
        (CLERIC, "Aldric would rather it be a crate."),
        (BARBARIAN, "Grunk goes left."),
        (GM, "After a hundred feet you hear water moving, but nobody is walking. Perception from everyone."),
        (SORCERER, "Sixteen."),
        (CLERIC, "Nine. Aldric is thinking about tea."),
        (GM, "Zephyr sees it: a shape in the water, a lot of tentacles, and it's coming towards you."),
        (BARBARIAN, "Grunk rages."),
        (GM, "It's a grell. Initiative, please."),
    ],
    [  # the hideout
        (
            GM,
            "Past the grell's nest is a round chamber with a door made of an old ship's hull. Two guards, playing cards.",
        ),
        (ROGUE, "Mira wants to talk first. She walks up and says, we're here to see the boss about Floon Blagmaar."),
        (GM, "Deception or persuasion?"),
        (ROGUE, "Deception. We're from the Zhentarim and we want to buy him. Eighteen."),
        (GM, "The guard with the eyepatch looks you over and says, the Zhents are paying now? Wait here."),
        (SORCERER, "While he's gone, Zephyr looks at the cards on the table. Are they marked?"),
        (GM, "They are, badly. You can see a deck of cards is also a good way to lose an eye down here."),
        (
            GM,
            "The guard comes back with a tall woman with a mind flayer's tattoo on her neck. She says, no deal. Floon talks to the boss first.",
        ),
        (CLERIC, "Aldric steps forward. Then we'll wait. Is he hurt?"),
        (GM, "She says, not yet. Then she whistles, and four more thugs come out of the side rooms."),
        (BARBARIAN, "Grunk is still raging from the grell, right?"),
        (GM, "The rage ended, sorry. But you can start a new one. Initiative!"),
    ],
    [  # Floon and Trollskull Manor
        (
            GM,
            "The woman surrenders once the others are down. Behind the hull door, Floon is chained to a pipe, looking miserable.",
        ),
        (ROGUE, "Mira picks the lock on the chains."),
        (
            GM,
            "Easy. Floon hugs her and starts crying. He says, they kept asking me about a stone, I don't know anything about a stone.",
        ),
        (CLERIC, "Aldric checks him over and gives him some water. Then we get him back to Volo."),
        (GM, "Back at the Yawning Portal, Volo is so happy he pays you fifty gold each, not twenty-five."),
        (SORCERER, "Zephyr makes him write that down."),
        (
            GM,
            "And then he says, I have something better than gold. The deed to a house. Trollskull Manor, in Trollskull Alley.",
        ),
        (BARBARIAN, "A house! Grunk has never had a house."),
        (GM, "Volo adds, very quietly, it may be a little bit haunted."),
        (ROGUE, "Of course it is."),
        (CLERIC, "Aldric says a haunted house is just a house that needs a cleric. We'll take it."),
        (GM, "That's where we stop. Next week: Trollskull Manor, and the ghost in the upstairs bedroom."),
        (SORCERER, "You just told us there's a ghost."),
        (GM, "Did I? Good night, everyone!"),
    ],
]

# The fights between scenes: (after which scene, the foes, their hit points, armour class).
FIGHTS = {
    "friend_in_need": [
        (0, ["the troll"], 120, 15),
        (4, ["the kenku", "the first thug", "the second thug"], 26, 12),
    ],
    "trollskull_alley": [
        (2, ["the grell"], 100, 12),
        (3, ["the woman", "the eyepatch guard", "the big thug"], 30, 13),
    ],
}
SCRIPTS = {"friend_in_need": FRIEND_IN_NEED, "trollskull_alley": TROLLSKULL_ALLEY}
