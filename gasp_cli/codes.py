"""The diagnostic codes: one registry of every `code` that `gasp validate` can print.

Each code says, in French, what it means, an example of what triggers it and how to fix
it. docs/codes.md is generated from this table (`python -m gasp_cli.codes`), and the tests
check that every code the source can emit is here and that the page is up to date.
Warnings can be silenced by `gasp validate --ignore CODE` or by `validation: {ignore: […]}`
in gasp.yaml; errors never can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severities = Literal["error", "warning", "both"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severities  # "both": an error in some cases, a warning in others (see `explanation`)
    family: str
    explanation: str
    example: str
    fix: str

    @property
    def ignorable(self) -> bool:
        """Only warnings can be silenced; a code that is sometimes an error is silenced only as a warning."""
        return self.severity != "error"


FAMILIES = {
    "fichier": "Les fichiers et le YAML",
    "champ": "Les champs d'un enregistrement",
    "reference": "Les renvois d'un enregistrement à un autre",
    "reunion": "Les réunions",
    "proposition": "Les propositions",
    "engagement": "Les engagements et le suivi",
    "confidentialite": "La confidentialité",
    "reseau": "Un réseau de Gasp (`gasp network report`)",
}

_CODES = (
    # The files and the YAML.
    Code(
        "yaml-syntax",
        "error",
        "fichier",
        "Le fichier n'est pas du YAML valide : gasp ne peut pas le lire du tout.",
        "`title: Horaires: la mairie` (deux « : » sans guillemets), une indentation qui change en cours de liste.",
        "Corrigez la ligne indiquée ; un texte qui contient « : » s'écrit entre guillemets.",
    ),
    Code(
        "yaml-alias",
        "error",
        "fichier",
        "Les ancres et alias YAML (`&nom`, `*nom`) sont refusés : chaque valeur est écrite en entier.",
        "`attendees: *habitues`",
        "Recopiez la valeur à la place de l'alias.",
    ),
    Code(
        "yaml-tag",
        "error",
        "fichier",
        "Les étiquettes YAML explicites (`!!str`, `!!python/…`) sont refusées.",
        "`time: !!str 14:30`",
        'Écrivez la valeur sans étiquette, entre guillemets si c\'est un texte : `time: "14:30"`.',
    ),
    Code(
        "several-documents",
        "error",
        "fichier",
        "Un fichier ne contient qu'un enregistrement : un seul document YAML, sans second `---`.",
        "Deux réunions collées dans un même fichier, séparées par `---`.",
        "Mettez chaque enregistrement dans son propre fichier.",
    ),
    Code(
        "empty-file",
        "error",
        "fichier",
        "Le fichier est vide.",
        "Un fichier `people/nouveau.yaml` créé mais pas rempli.",
        "Remplissez-le (`gasp new` écrit un modèle) ou supprimez-le.",
    ),
    Code(
        "not-a-mapping",
        "error",
        "fichier",
        "Un enregistrement est un dictionnaire de clés (`clé: valeur`), pas une liste ni un texte seul.",
        "Un fichier qui commence par `- person: …`.",
        "Écrivez les clés de l'enregistrement au premier niveau du fichier.",
    ),
    Code(
        "file-too-large",
        "error",
        "fichier",
        "Un fichier d'enregistrement dépasse 1 Mio, ou n'est pas en UTF-8 : gasp ne le lit pas.",
        "Un tableau exporté collé dans `discussion`, un fichier enregistré en Latin-1.",
        "Raccourcissez le texte, ou enregistrez le fichier en UTF-8.",
    ),
    Code(
        "not-a-file",
        "error",
        "fichier",
        "Sous `records/`, gasp ne lit que des fichiers ordinaires (ni tube, ni périphérique).",
        "Un tube nommé `meetings/2026/x.yaml`.",
        "Remplacez-le par un fichier ordinaire ou retirez-le.",
    ),
    Code(
        "unreadable",
        "error",
        "fichier",
        "Un fichier ou un dossier ne peut pas être lu (droits d'accès).",
        "Un dossier `meetings/2025/` sans droit de lecture.",
        "Rendez-le lisible (`chmod u+r`) ou retirez-le.",
    ),
    Code(
        "outside-link",
        "error",
        "fichier",
        "Un lien symbolique sort de l'espace de travail : gasp ne le suit pas.",
        "`records/people` lien vers `/home/autre/people`.",
        "Copiez les fichiers dans l'espace de travail au lieu d'un lien.",
    ),
    Code(
        "too-deep",
        "error",
        "fichier",
        "Le YAML est imbriqué bien plus profondément qu'aucun enregistrement ne l'est.",
        "Des listes dans des listes sur des dizaines de niveaux.",
        "Revenez à la forme décrite dans la page « Enregistrements ».",
    ),
    Code(
        "duplicate-key",
        "error",
        "fichier",
        "La même clé apparaît deux fois dans un dictionnaire : la seconde effacerait la première.",
        "Deux lignes `discussion:` dans une réunion.",
        "Gardez une seule clé et réunissez les deux valeurs.",
    ),
    Code(
        "bad-key",
        "error",
        "fichier",
        "Une clé doit être un simple mot, pas une liste ni un dictionnaire.",
        "`[a, b]: 1`",
        "Écrivez une clé simple, par exemple `theme:`.",
    ),
    Code(
        "bad-number",
        "error",
        "fichier",
        "Un nombre mal écrit : zéro en tête, infini, trop grand ou trop long.",
        "`week: 01`, `cost: .inf`",
        "Écrivez le nombre sans zéro en tête (`week: 1`), ou entre guillemets si c'est un texte.",
    ),
    Code(
        "ambiguous-time",
        "warning",
        "reunion",
        "L'heure d'une réunion n'existe pas, ou existe deux fois, le jour d'un changement d'heure "
        "dans le fuseau du Gasp : les agendas la placeraient une heure plus tôt ou plus tard.",
        '`time: "02:30"` le dernier dimanche de mars (ou d\'octobre) à Paris',
        "Choisissez une autre heure ce jour-là (03:30, par exemple).",
    ),
    Code(
        "bad-extension",
        "error",
        "fichier",
        "Les enregistrements portent l'extension `.yaml`, en minuscules.",
        "`people/karim.yml`, `people/karim.YAML`",
        "Renommez le fichier en `.yaml`.",
    ),
    Code(
        "misplaced-file",
        "error",
        "fichier",
        "Un fichier est posé directement dans `records/` au lieu d'un dossier d'enregistrements.",
        "`records/karim.yaml`",
        "Rangez-le dans le dossier de son type, par exemple `records/people/`.",
    ),
    Code(
        "unknown-folder",
        "error",
        "fichier",
        "Un dossier de `records/` n'est pas un type d'enregistrement connu.",
        "`records/reunions/` au lieu de `records/meetings/`.",
        "Renommez le dossier comme suggéré.",
    ),
    Code(
        "bad-id",
        "error",
        "fichier",
        "Un identifiant (nom de fichier ou valeur) n'est pas un identifiant valide : minuscules, chiffres "
        "et tirets, 80 caractères au plus.",
        "`people/Karim Haddad.yaml`",
        "Renommez en `karim-haddad.yaml` (gasp new le fait pour vous).",
    ),
    Code(
        "duplicate-id",
        "error",
        "fichier",
        "Deux fichiers du même type portent le même identifiant (dans deux sous-dossiers).",
        "`meetings/2025/2025-03-04-agents.yaml` et `meetings/2026/2025-03-04-agents.yaml`.",
        "Gardez un seul des deux fichiers.",
    ),
    # The fields of a record.
    Code(
        "unknown-key",
        "error",
        "champ",
        "Une clé que ce type d'enregistrement ne connaît pas, souvent une faute de frappe.",
        "`atendees:` dans une réunion.",
        "Corrigez la clé comme suggéré (`attendees:`).",
    ),
    Code(
        "missing-field",
        "both",
        "champ",
        "Un champ obligatoire manque (erreur) ; ou un champ attendu manque sans bloquer (avertissement : "
        "un habitant avec `publish_name: true` mais sans nom à publier).",
        "Une réunion sans `date:`.",
        "Ajoutez le champ indiqué.",
    ),
    Code(
        "bad-type",
        "error",
        "champ",
        "La valeur n'a pas le bon type : un texte au lieu d'une liste, un nombre au lieu d'un texte, "
        "`yes` au lieu de `true`…",
        '`time: 14.30` (écrivez `time: "14:30"`), `public_minutes: yes`.',
        "Écrivez la valeur sous la forme indiquée par le message.",
    ),
    Code(
        "bad-value",
        "error",
        "champ",
        "La valeur a le bon type mais sort des bornes permises.",
        "`week: 5`, `duration: 0`.",
        "Choisissez une valeur dans les bornes indiquées.",
    ),
    Code(
        "bad-enum",
        "error",
        "champ",
        "La valeur n'est pas l'un des mots permis (en anglais dans le YAML) ; le plus proche est suggéré.",
        "`status: tenue` (écrivez `held`), `kind: habitant` (écrivez `resident`).",
        "Écrivez le mot anglais suggéré.",
    ),
    Code(
        "bad-date",
        "error",
        "champ",
        "Une date n'est pas une vraie date AAAA-MM-JJ entre 1900 et 2200.",
        "`date: 2026-02-30`, `date: 12/03/2026`.",
        "Écrivez la date sous la forme `2026-03-12`.",
    ),
    Code(
        "bad-cadence",
        "error",
        "champ",
        "La cadence d'un groupe se contredit : mois en trop ou en moins pour sa fréquence, mois sautés "
        "qui ne laissent aucune réunion…",
        "`frequency: quarterly` avec `months: [1, 4]` (il en faut un par trimestre).",
        "Donnez un mois par période, comme l'explique le message.",
    ),
    # References between records.
    Code(
        "dangling-ref",
        "error",
        "reference",
        "Un identifiant renvoie à un enregistrement qui n'existe pas ; le plus proche est suggéré, et la "
        "commande `gasp new` qui le crée.",
        "`attendees: [karim]` alors que la personne est `karim-haddad`.",
        "Corrigez l'identifiant, ou créez l'enregistrement avec la commande proposée.",
    ),
    # Meetings.
    Code(
        "file-name",
        "error",
        "reunion",
        "Le nom du fichier d'une réunion est sa date suivie de son groupe ; ici ils ne concordent pas.",
        "`2026-03-04-agents.yaml` qui contient `date: 2026-03-11`.",
        "Renommez le fichier, ou corrigez la date ou le groupe.",
    ),
    Code(
        "file-place",
        "warning",
        "reunion",
        "Une réunion est rangée dans le dossier d'une autre année.",
        "Une réunion de 2026 dans `meetings/2025/`.",
        "Déplacez le fichier dans le dossier de son année.",
    ),
    Code(
        "decision-outside",
        "error",
        "reunion",
        "Seuls les référents et la réunion intergroupes décident ; une autre réunion a des `decisions`.",
        "Une réunion des usagers avec `decisions:`.",
        "Notez plutôt la proposition (`proposals:` avec `event: discussed`) ; la décision viendra des référents.",
    ),
    Code(
        "past-planned",
        "warning",
        "reunion",
        "Une réunion passée est encore `planned` : a-t-elle eu lieu ?",
        "`status: planned` pour une réunion du mois dernier.",
        "Passez-la à `held` (avec les présents) ou à `cancelled` (avec `cancel_reason`).",
    ),
    Code(
        "future-held",
        "warning",
        "reunion",
        "Une réunion à venir est marquée `held`.",
        "`status: held` pour la réunion du mois prochain.",
        "Remettez `planned`, ou corrigez la date.",
    ),
    Code(
        "cancelled-content",
        "warning",
        "reunion",
        "Une réunion annulée porte des propositions ou des décisions : elles ne comptent pas.",
        "`status: cancelled` avec `proposals:`.",
        "Déplacez-les dans la réunion qui a eu lieu, ou passez la réunion à `held`.",
    ),
    Code(
        "duplicate-attendee",
        "warning",
        "reunion",
        "Une personne figure deux fois parmi les présents.",
        "`attendees: [karim-haddad, karim-haddad]`",
        "Retirez le doublon.",
    ),
    Code(
        "present-and-excused",
        "error",
        "reunion",
        "Une personne est à la fois présente et excusée.",
        "`karim-haddad` dans `attendees` et dans `excused`.",
        "Gardez-la dans une seule des deux listes.",
    ),
    Code(
        "missing-meeting",
        "warning",
        "reunion",
        "Une période passée de la cadence d'un groupe n'a aucune réunion enregistrée (une réunion annulée "
        "est un enregistrement).",
        "Aucune réunion des agents en mars alors que la cadence est mensuelle.",
        "Enregistrez la réunion (`gasp new meeting`), ou une réunion `cancelled` avec sa raison.",
    ),
    Code(
        "same-period",
        "warning",
        "reunion",
        "Deux réunions d'un groupe tombent dans la même période de sa cadence : souvent la même réunion "
        "écrite deux fois (un fichier copié, une date corrigée dans un nouveau fichier).",
        "`2026-10-13-agents.yaml` et `2026-10-15-agents.yaml` pour un groupe mensuel.",
        "Si c'est la même réunion, supprimez l'un des deux fichiers ; une réunion de plus est permise : "
        "ignorez alors ce code.",
    ),
    Code(
        "meetings-before-members",
        "warning",
        "reunion",
        "Des réunions tenues précèdent l'arrivée du premier membre du groupe (`since`) : les réunions dues ne "
        "sont comptées qu'à partir de là, et le rapport montrerait « Prévues 0, Tenues 7 ». `gasp init` fait "
        "arriver chaque membre le jour où il est lancé.",
        "`since: 2026-11-25` et des réunions des agents en septembre et en octobre 2026.",
        "Avancez les dates `since` des membres au début du groupe.",
    ),
    Code(
        "overdue-action",
        "warning",
        "reunion",
        "Une action d'une réunion a dépassé son échéance sans être marquée faite.",
        "`due: 2026-01-31` sans `done:`.",
        "Ajoutez `done: <date>` quand elle est faite, ou repoussez `due`.",
    ),
    Code(
        "date-order",
        "error",
        "reunion",
        "Des dates se suivent dans le mauvais ordre : une action due avant la réunion, un membre parti "
        "avant d'arriver, un jalon avant la décision…",
        "`since: 2026-05-01` et `until: 2026-01-01` pour un membre.",
        "Corrigez la date qui n'est pas la bonne.",
    ),
    # Proposals.
    Code(
        "lifecycle",
        "both",
        "proposition",
        "Le parcours d'une proposition n'est pas permis : soulevée deux fois ou chez les référents, décidée "
        "après être close, remplacée par elle-même… (erreur) ; un parcours permis mais inhabituel "
        "(avertissement).",
        "Une décision `validated` sur une proposition déjà `rejected`.",
        "Soulevez une nouvelle proposition avec `replaces:`, ou corrigez l'événement.",
    ),
    Code(
        "funding-share",
        "warning",
        "proposition",
        "Les parts de financement d'une proposition ne font pas 100 %.",
        "Deux financeurs à 50 % et 40 %.",
        "Corrigez les parts (`share`) pour qu'elles fassent 100.",
    ),
    # Commitments.
    Code(
        "late-decision",
        "warning",
        "engagement",
        "Une proposition n'a reçu aucune réponse des référents (décision de quelque sorte que ce soit) "
        "passé le délai promis (`commitments.decision_within_days`).",
        "Une proposition soulevée il y a 150 jours pour un engagement de 120 jours, sans décision.",
        "Inscrivez-la à la prochaine réunion des référents ; la réponse peut être « mise à l’étude ».",
    ),
    Code(
        "late-minutes",
        "warning",
        "engagement",
        "Le compte rendu d'une réunion tenue n'est pas noté envoyé passé le délai promis "
        "(`commitments.minutes_within_days`).",
        "Une réunion tenue il y a trois semaines sans `minutes_sent`, pour un engagement de 15 jours.",
        "Envoyez-le, puis notez `minutes_sent: <date>`.",
    ),
    # Privacy.
    Code(
        "personal-data",
        "warning",
        "confidentialite",
        "Une donnée qui semble personnelle (un numéro de portable, l'adresse électronique d'une personne) "
        "est dans le bloc `public` d'un service, donc publiée dans le guide des usagers.",
        "`public: {phone: 06 12 34 56 78}`",
        "Mettez-la dans le bloc `agents` (`direct_phone`, `email`).",
    ),
    Code(
        "unconsented-name",
        "warning",
        "confidentialite",
        "Le nom enregistré d'une personne qui n'a pas donné son accord pour être nommée (`publish_name`), "
        "entier ou précédé de « M. », « Mme », « Madame », « Monsieur » ou « Mlle », est écrit dans un texte "
        "qui va sur le site des habitants : la discussion, le tour de table, une note ou une action d'un groupe "
        "dont les comptes rendus sont publics, le motif d'une décision, une proposition, un thème, le bloc "
        "`public` d'un service. gasp compte ces personnes sans les nommer, mais ne peut pas savoir qu'un texte "
        "les nomme.",
        "`discussion: Signalé par M. Petit.` dans un compte rendu des usagers, quand "
        "`people/lucien-petit.yaml` dit `name: Lucien Petit` sans `publish_name: true`.",
        "Écrivez « un habitant » à la place du nom ; ou, si la personne est d'accord, notez "
        "`publish_name: true` dans son fichier.",
    ),
    # A network of Gasps.
    Code(
        "bad-ref",
        "error",
        "reseau",
        "La branche ou l'étiquette d'un site du fichier des sites n'est pas un nom de référence git valide.",
        "`ref: --upload-pack=x`",
        "Donnez un nom de branche ou d'étiquette, ou retirez `ref`.",
    ),
    Code(
        "site-too-large",
        "error",
        "reseau",
        "Le dossier `records/` d'un site du réseau est démesuré : il n'est pas lu.",
        "Un dépôt qui contient des gigaoctets sous `records/`.",
        "Demandez au site de retirer ce qui n'est pas un enregistrement.",
    ),
    Code(
        "unsafe-path",
        "error",
        "reseau",
        "L'export d'un site du réseau contient un chemin dangereux (absolu, `..`, lien qui sort) : il est refusé.",
        "Un lien symbolique `records/x.yaml` vers `/etc/passwd`.",
        "Demandez au site de retirer ce chemin.",
    ),
)

CODES: dict[str, Code] = {entry.code: entry for entry in _CODES}


def markdown() -> str:
    """docs/codes.md: the registry as a page, by family."""
    severity = {"error": "erreur", "warning": "avertissement", "both": "erreur ou avertissement"}
    lines = [
        "# Les codes des problèmes",
        "",
        "<!-- Page écrite par `python -m gasp_cli.codes > docs/codes.md` : ne la modifiez pas à la main. -->",
        "",
        (
            "Chaque problème que `gasp validate` signale porte un code stable (la clé `code` de "
            "`gasp validate --format json`). Un **avertissement** que votre Gasp a choisi d'accepter peut "
            "être tu : `gasp validate --ignore CODE` pour une fois, ou dans `records/gasp.yaml` pour "
            "toujours :"
        ),
        "",
        "```yaml",
        "validation:",
        "  ignore: [missing-meeting]",
        "```",
        "",
        "Une **erreur** ne peut jamais être tue : gasp ne produit rien tant qu'il en reste une.",
    ]
    for family, title in FAMILIES.items():
        lines += ["", f"## {title}"]
        for entry in _CODES:
            if entry.family != family:
                continue
            lines += [
                "",
                f"### `{entry.code}`",
                "",
                f"*{severity[entry.severity]}*{' — peut être tu' if entry.ignorable else ''}",
                "",
                entry.explanation,
                "",
                f"- Exemple : {entry.example}",
                f"- Que faire : {entry.fix}",
            ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
