"""What the offline summarizer looks for (sessions/summaries/summarizers/offline.py): how
many lines each kind keeps, and the cue words it reads sentences by. English cue words:
the kinds that rely on them say so for other languages (ENGLISH_ONLY).
"""

from sessions.core.kinds import STORY_SO_FAR

# How many lines each kind gets, by length.
ITEMS = {
    "recap": {"brief": 4, "standard": 8, "detailed": 14},
    "key_events": {"brief": 5, "standard": 10, "detailed": 20},
    "npcs": {"brief": 3, "standard": 8, "detailed": 15},
    "locations": {"brief": 3, "standard": 8, "detailed": 15},
    "loot": {"brief": 4, "standard": 8, "detailed": 15},
    "open_threads": {"brief": 3, "standard": 6, "detailed": 12},
    STORY_SO_FAR: {"brief": 5, "standard": 10, "detailed": 20},
}
# Quotes in lists are cut to this many words, by length.
QUOTE_WORDS = {"brief": 20, "standard": 30, "detailed": 45}
MIN_WORDS = 4  # below this there is nothing to summarize

NOTHING_FOUND = {
    "npcs": "No named NPCs stood out in this session.",
    "locations": "No named places stood out in this session.",
    "loot": "No loot or items came up in this session.",
    "open_threads": "No open questions or plans for next time came up in this session.",
}
# Kinds that rely on English cue words; other languages get a clear message instead of noise
# (German capitalizes every noun, so "capitalized = name" fails there).
ENGLISH_ONLY = {"npcs": "NPCs", "locations": "locations", "loot": "loot and items"}

STOPWORDS = frozenset(
    """
    a about above after again against ah all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her
    here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
    itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours
    ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're they've
    this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what
    what's when when's where where's which while who who's whom why why's with won't would wouldn't you
    you'd you'll you're you've your yours yourself yourselves
    yeah yes yep nope okay ok alright um uh umm uhh hmm huh oh ooh wow like just really gonna gotta wanna
    kinda sorta actually basically literally right well sure cool nice wait now get got go going goes
    went want wants know think thought mean say says said thing things stuff guys hey lot maybe also
    still even one two three let lets us will shall may might much many way back see look looks come
    comes okay anyway though thats dont im ive youre
    """.split()
)
# Table talk: rules, dice, snacks. Sentences full of these are not the story.
TABLE_TALK = frozenset(
    """
    roll rolls rolled rolling d4 d6 d8 d10 d12 d20 d100 dice die initiative modifier modifiers advantage
    disadvantage nat natural crit crits critical damage hp ac dc check checks save saves saving throw
    spell slot slots bonus action actions reaction turn turns round rounds rule rules rulebook sheet
    level xp pizza snack snacks drinks bathroom break mic microphone audio recording discord zoom
    phone muted mute lag
    """.split()
)
EVENT_WORDS = (
    frozenset(
        """
    attack attacks attacked kill kills killed slay slays slew slain defeat defeats defeated die dies
    died dead escape escapes escaped arrive arrives arrived discover discovers discovered find finds
    found reveal reveals revealed betray betrays betrayed agree agrees agreed decide decides decided
    steal steals stole stolen rescue rescues rescued capture captures captured fight fights fought
    ambush ambushes ambushed flee flees fled destroy destroys destroyed open opens opened enter enters
    entered meet meets met kidnap kidnapped curse cursed summon summons summoned sneak sneaks snuck
    travel travels traveled travelled reach reaches reached leave leaves left explode explodes exploded
    collapse collapses collapsed burn burns burned burnt wake wakes woke awaken awakens awakened return
    returns returned win wins won lose loses lost save saves saved appear appears appeared vanish
    vanishes vanished break breaks broke broken trap trapped poison poisoned sacrifice sacrificed
    transform transformed sign signed hire hired swear swore sworn
    """.split()
    )
    - TABLE_TALK
)
TITLES = frozenset(
    """
    lord lady sir dame king queen prince princess duke duchess baron baroness count countess earl
    captain capt commander general sergeant lieutenant admiral marshal master mistress father mother
    brother sister elder abbot bishop priest priestess cardinal doctor dr professor archmage magister
    mayor chief chieftain warden sheriff constable mr mrs ms madam madame old uncle aunt granny grandma
    emperor empress guildmaster headmaster inquisitor regent jarl thane
    """.split()
)
PLACE_WORDS = frozenset(
    """
    tavern inn keep castle palace temple church chapel cathedral shrine abbey monastery forest wood woods
    grove jungle mountain mountains mount peak peaks hills hill river lake sea ocean bay coast shore city
    town village hamlet port harbor harbour docks tower spire cave caves cavern caverns mine mines crypt
    tomb catacombs dungeon ruins gate gates market bazaar road pass valley vale marsh swamp bog fen desert
    wastes plains isle island islands library hall halls fortress fort citadel sanctum vault bridge
    district quarter ward square plaza manor estate farm mill lighthouse prison barracks academy
    guildhall arena sewers underdark realm kingdom empire canyon falls springs glacier highlands
    lowlands reach hollow ridge cliffs outpost camp encampment garrison stronghold lair hold barrow
    barrows observatory
    """.split()
)
SPEECH_VERBS = frozenset(
    """
    says said asks asked tells told replies replied answers answered shouts shouted yells yelled whispers
    whispered mutters muttered nods nodded smiles smiled laughs laughed grins grinned frowns frowned sighs
    sighed explains explained warns warned offers offered agrees agreed refuses refused insists insisted
    promises promised hands handed gives gave wants wanted walks walked screams screamed growls growled
    sneers sneered bows bowed thanks thanked pleads pleaded begs begged orders ordered demands demanded
    """.split()
)
PERSON_OBJECT_VERBS = frozenset(
    """
    ask asks asked tell tells told meet meets met named thank thanked kill killed attack attacked follow
    followed hire hired help helped pay paid bribe bribed question questioned interrogate interrogated
    greet greeted rescue rescued save saved trust trusted betrayed
    """.split()
)
TALK_VERBS = frozenset("talk talks talked talking speak speaks spoke speaking report reported listen listened".split())
PLACE_PREPOSITIONS = frozenset(
    """
    in at into inside from toward towards near through across enter entered entering reach reached
    visit visited leave left arrive arrived outside beneath under above
    """.split()
)
# Capitalized words that are rarely names at a game table.
NOT_NAMES = frozenset(
    """
    perception stealth insight investigation athletics acrobatics arcana history religion nature survival
    medicine deception intimidation persuasion performance sleight strength dexterity constitution
    intelligence wisdom charisma initiative advantage disadvantage dungeons dragons discord roll20 foundry
    zoom monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december english god gods hello hi thanks please sorry session
    speaker mister everyone anyone someone nobody nothing something everything
    """.split()
)
CONNECTORS = frozenset("of the de du von van al el".split())
LOOT_WORDS = frozenset(
    """
    gold silver copper platinum coin coins gp sp cp pp gem gems jewel jewels sword swords dagger daggers
    axe bow arrows shield armor armour potion potions scroll scrolls ring rings amulet wand staff key keys
    map chest treasure hoard loot looted reward rewards necklace cloak boots gauntlets helm helmet crown
    relic artifact artefact tome book orb bag pouch purse jewelry jewellery trinket weapon weapons blade
    """.split()
)
GETTING_WORDS = frozenset(
    """
    found find finds loot looted take took takes grab grabbed pick picked reward rewarded receive received
    give gives gave hand hands handed buy bought sell sold pocket pocketed claim claimed inherit stash
    stashed carry carrying keep kept split share owe owes paid pay
    """.split()
)
THREAD_PHRASES = (
    "we need to",
    "we have to",
    "we should",
    "we must",
    "we still",
    "need to find",
    "next time",
    "next session",
    "find out",
    "figure out",
    "don't know",
    "do not know",
    "not sure",
    "who is",
    "who was",
    "where is",
    "what happened",
    "why did",
    "quest",
    "mission",
    "task",
    "bounty",
    "promise",
    "deadline",
    "tomorrow",
    "later",
    "mystery",
    "rumor",
    "rumour",
    "track down",
    "go back",
    "come back",
    "return to",
    "meet us",
    "owe",
    "owes",
    "have until",
    "haven't",
    "hasn't",
    "unless",
)
# Questions and remarks about the game night itself, not the story.
TABLE_PHRASES = (
    "what do you do",
    "what do you want to do",
    "what would you like to do",
    "who's next",
    "whose turn",
    "same time",
    "next week",
    "great session",
    "good session",
    "good game",
    "anyone want",
)
