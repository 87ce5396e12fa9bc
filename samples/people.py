"""Made-up people, companies, addresses and registry offices for sample batches.

The names are ordinary Japanese names, chosen so that many of them hold a character
with a registered variant (異体字, documents.md): the certificate may print the
variant where the application form prints the common character. Everything here is
fiction: numbers, offices' codes and companies are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.identifiers import corporate_number_from_base

# Common character → the variants a registry may hold for it. 斎 and 斉 are separate
# entries on purpose: 齋 is a variant of 斎 only and 齊 of 斉 only.
VARIANTS: dict[str, tuple[str, ...]] = {
    "高": ("髙",),
    "崎": ("﨑",),
    "辺": ("邊", "邉"),
    "斎": ("齋",),
    "斉": ("齊",),
    "浜": ("濵",),
    "沢": ("澤",),
    "国": ("國",),
    "徳": ("德",),
    "広": ("廣",),
    "桜": ("櫻",),
    "蔵": ("藏",),
    "瀬": ("瀨",),
}
# Variant → common, for telling whether two names are the same person.
_TO_COMMON = {v: common for common, variants in VARIANTS.items() for v in variants}


def fold_variants(text: str) -> str:
    """`text` with every variant character replaced by its common form."""
    return "".join(_TO_COMMON.get(ch, ch) for ch in text)


def has_variant(text: str) -> bool:
    return any(ch in VARIANTS for ch in text)


def with_variant(text: str, rng: random.Random) -> str:
    """`text` with one or all of its variant-capable characters swapped for a variant."""
    positions = [i for i, ch in enumerate(text) if ch in VARIANTS]
    if not positions:
        return text
    # Registries usually differ in one character; sometimes every one (e.g. 髙瀨).
    chosen = positions if rng.random() < 0.3 else [rng.choice(positions)]
    chars = list(text)
    for i in chosen:
        chars[i] = rng.choice(VARIANTS[chars[i]])
    return "".join(chars)


# (kanji, katakana, romaji). The first block is rich in variant-capable characters.
FAMILY_NAMES: tuple[tuple[str, str, str], ...] = (
    ("高橋", "タカハシ", "takahashi"),
    ("高田", "タカダ", "takada"),
    ("高木", "タカギ", "takagi"),
    ("高瀬", "タカセ", "takase"),
    ("山崎", "ヤマザキ", "yamazaki"),
    ("宮崎", "ミヤザキ", "miyazaki"),
    ("岡崎", "オカザキ", "okazaki"),
    ("川崎", "カワサキ", "kawasaki"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("田辺", "タナベ", "tanabe"),
    ("斎藤", "サイトウ", "saito"),
    ("斉藤", "サイトウ", "saito"),
    ("浜田", "ハマダ", "hamada"),
    ("長浜", "ナガハマ", "nagahama"),
    ("沢田", "サワダ", "sawada"),
    ("小沢", "オザワ", "ozawa"),
    ("国分", "コクブ", "kokubu"),
    ("徳永", "トクナガ", "tokunaga"),
    ("徳田", "トクダ", "tokuda"),
    ("広瀬", "ヒロセ", "hirose"),
    ("広田", "ヒロタ", "hirota"),
    ("桜井", "サクライ", "sakurai"),
    ("瀬戸", "セト", "seto"),
    ("大蔵", "オオクラ", "okura"),
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("山本", "ヤマモト", "yamamoto"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
    ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"),
    ("清水", "シミズ", "shimizu"),
    ("山下", "ヤマシタ", "yamashita"),
    ("森", "モリ", "mori"),
    ("池田", "イケダ", "ikeda"),
    ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"),
    ("石川", "イシカワ", "ishikawa"),
    ("前田", "マエダ", "maeda"),
    ("藤田", "フジタ", "fujita"),
    ("小川", "オガワ", "ogawa"),
    ("岡田", "オカダ", "okada"),
    ("後藤", "ゴトウ", "goto"),
    ("長谷川", "ハセガワ", "hasegawa"),
    ("村上", "ムラカミ", "murakami"),
    ("近藤", "コンドウ", "kondo"),
    ("石井", "イシイ", "ishii"),
    ("坂本", "サカモト", "sakamoto"),
    ("遠藤", "エンドウ", "endo"),
    ("青木", "アオキ", "aoki"),
    ("藤井", "フジイ", "fujii"),
    ("西村", "ニシムラ", "nishimura"),
    ("福田", "フクダ", "fukuda"),
    ("太田", "オオタ", "ota"),
    ("三浦", "ミウラ", "miura"),
    ("藤原", "フジワラ", "fujiwara"),
    ("岡本", "オカモト", "okamoto"),
    ("松田", "マツダ", "matsuda"),
    ("中川", "ナカガワ", "nakagawa"),
    ("中野", "ナカノ", "nakano"),
    ("原田", "ハラダ", "harada"),
    ("小野", "オノ", "ono"),
    ("竹内", "タケウチ", "takeuchi"),
    ("金子", "カネコ", "kaneko"),
    ("和田", "ワダ", "wada"),
    ("中山", "ナカヤマ", "nakayama"),
    ("石田", "イシダ", "ishida"),
    ("上田", "ウエダ", "ueda"),
    ("森田", "モリタ", "morita"),
    ("柴田", "シバタ", "shibata"),
    ("酒井", "サカイ", "sakai"),
    ("工藤", "クドウ", "kudo"),
    ("横山", "ヨコヤマ", "yokoyama"),
    ("宮本", "ミヤモト", "miyamoto"),
    ("内田", "ウチダ", "uchida"),
)

GIVEN_NAMES: tuple[tuple[str, str, str], ...] = (
    ("太郎", "タロウ", "taro"),
    ("一郎", "イチロウ", "ichiro"),
    ("健一", "ケンイチ", "kenichi"),
    ("誠", "マコト", "makoto"),
    ("浩", "ヒロシ", "hiroshi"),
    ("大輔", "ダイスケ", "daisuke"),
    ("翔太", "ショウタ", "shota"),
    ("拓也", "タクヤ", "takuya"),
    ("直樹", "ナオキ", "naoki"),
    ("隆", "タカシ", "takashi"),
    ("修", "オサム", "osamu"),
    ("秀樹", "ヒデキ", "hideki"),
    ("和也", "カズヤ", "kazuya"),
    ("健太", "ケンタ", "kenta"),
    ("亮", "リョウ", "ryo"),
    ("聡", "サトシ", "satoshi"),
    ("正人", "マサト", "masato"),
    ("博之", "ヒロユキ", "hiroyuki"),
    ("浩二", "コウジ", "koji"),
    ("秀明", "ヒデアキ", "hideaki"),
    ("恵子", "ケイコ", "keiko"),
    ("裕子", "ユウコ", "yuko"),
    ("由美子", "ユミコ", "yumiko"),
    ("美穂", "ミホ", "miho"),
    ("智子", "トモコ", "tomoko"),
    ("陽子", "ヨウコ", "yoko"),
    ("真由美", "マユミ", "mayumi"),
    ("直美", "ナオミ", "naomi"),
    ("久美子", "クミコ", "kumiko"),
    ("紀子", "ノリコ", "noriko"),
    ("明美", "アケミ", "akemi"),
    ("愛", "アイ", "ai"),
    ("さくら", "サクラ", "sakura"),
    ("彩", "アヤ", "aya"),
    ("広志", "ヒロシ", "hiroshi"),
    ("国男", "クニオ", "kunio"),
    ("徳子", "ノリコ", "noriko"),
    ("桜子", "サクラコ", "sakurako"),
    ("高志", "タカシ", "takashi"),
    ("広美", "ヒロミ", "hiromi"),
    ("徳之", "ノリユキ", "noriyuki"),
    ("国彦", "クニヒコ", "kunihiko"),
)


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    family_kana: str
    given_kana: str
    family_romaji: str
    given_romaji: str
    birth_date: date

    @property
    def name(self) -> str:
        """As the application form prints it: family, full-width space, given."""
        return f"{self.family}\u3000{self.given}"

    @property
    def kana(self) -> str:
        return f"{self.family_kana}\u3000{self.given_kana}"


@dataclass(frozen=True)
class Office:
    """A Legal Affairs Bureau office (法務局 本局, 支局 or 出張所)."""

    bureau: str  # 東京法務局
    branch: str  # 新宿出張所, or "" for the main office
    code: str  # first 4 digits of the 会社法人等番号 it registers
    halfwidth: bool  # prints half-width digits (a few offices do)

    @property
    def name(self) -> str:
        """As printed on a certificate: 東京法務局　新宿出張所."""
        return f"{self.bureau}\u3000{self.branch}" if self.branch else self.bureau

    @property
    def jurisdiction(self) -> str:
        return f"（{self.bureau}{self.branch}管轄）"

    @property
    def seal_prefix(self) -> str:
        """Short bureau name for the registrar's seal: 東京法務局 → 東京."""
        return self.bureau.replace("地方法務局", "").replace("法務局", "")


@dataclass(frozen=True)
class Place:
    prefecture: str
    city: str  # 市区町村, e.g. 新宿区, 仙台市青葉区
    towns: tuple[str, ...]
    office: Office
    area_code: str  # telephone
    mayor: str  # issuer of personal seal certificates: 新宿区長


def _office(bureau: str, branch: str, code: str, halfwidth: bool = False) -> Office:
    return Office(bureau, branch, code, halfwidth)


_TOKYO = _office("東京法務局", "", "0100")
_SHINJUKU = _office("東京法務局", "新宿出張所", "0111")
_MINATO = _office("東京法務局", "港出張所", "0104")
_SHIBUYA = _office("東京法務局", "渋谷出張所", "0113", halfwidth=True)
_SHINAGAWA = _office("東京法務局", "品川出張所", "0107")
_HACHIOJI = _office("東京法務局", "八王子支局", "0133")
_YOKOHAMA = _office("横浜地方法務局", "", "0200")
_KAWASAKI = _office("横浜地方法務局", "川崎支局", "0202", halfwidth=True)
_SAITAMA = _office("さいたま地方法務局", "", "0300")
_CHIBA = _office("千葉地方法務局", "", "0400")
_SHIZUOKA = _office("静岡地方法務局", "", "0800")
_NAGANO = _office("長野地方法務局", "", "2000")
_MATSUMOTO = _office("長野地方法務局", "松本支局", "2002")
_NAGOYA = _office("名古屋法務局", "", "1800")
_KYOTO = _office("京都地方法務局", "", "1300")
_OSAKA = _office("大阪法務局", "", "1200")
_OSAKA_KITA = _office("大阪法務局", "北出張所", "1201")
_SAKAI = _office("大阪法務局", "堺支局", "1203", halfwidth=True)
_KOBE = _office("神戸地方法務局", "", "1400")
_HIROSHIMA = _office("広島法務局", "", "2500")
_FUKUOKA = _office("福岡法務局", "", "2900")
_SENDAI = _office("仙台法務局", "", "3700")
_SAPPORO = _office("札幌法務局", "", "4300")
_NIIGATA = _office("新潟地方法務局", "", "1100")

PLACES: tuple[Place, ...] = (
    Place(
        "東京都", "千代田区", ("霞が関", "丸の内", "大手町", "神田錦町"), _TOKYO, "03", "千代田区長"
    ),
    Place("東京都", "中央区", ("日本橋", "銀座", "八丁堀", "築地"), _TOKYO, "03", "中央区長"),
    Place(
        "東京都", "新宿区", ("西新宿", "四谷", "高田馬場", "神楽坂"), _SHINJUKU, "03", "新宿区長"
    ),
    Place("東京都", "港区", ("芝浦", "赤坂", "虎ノ門", "高輪"), _MINATO, "03", "港区長"),
    Place("東京都", "渋谷区", ("道玄坂", "恵比寿", "代々木", "広尾"), _SHIBUYA, "03", "渋谷区長"),
    Place("東京都", "品川区", ("大崎", "東五反田", "北品川"), _SHINAGAWA, "03", "品川区長"),
    Place("東京都", "八王子市", ("旭町", "明神町", "横山町"), _HACHIOJI, "042", "八王子市長"),
    Place("神奈川県", "横浜市中区", ("山下町", "本町", "桜木町"), _YOKOHAMA, "045", "横浜市長"),
    Place("神奈川県", "川崎市中原区", ("小杉町", "新丸子町"), _KAWASAKI, "044", "川崎市長"),
    Place("埼玉県", "さいたま市浦和区", ("高砂", "常盤", "岸町"), _SAITAMA, "048", "さいたま市長"),
    Place("千葉県", "千葉市中央区", ("中央", "富士見", "新町"), _CHIBA, "043", "千葉市長"),
    Place("静岡県", "静岡市葵区", ("追手町", "呉服町", "紺屋町"), _SHIZUOKA, "054", "静岡市長"),
    Place("長野県", "長野市", ("大字鶴賀", "南千歳", "新田町"), _NAGANO, "026", "長野市長"),
    Place("長野県", "松本市", ("中央", "深志", "大手"), _MATSUMOTO, "0263", "松本市長"),
    Place("愛知県", "名古屋市中区", ("栄", "錦", "丸の内"), _NAGOYA, "052", "名古屋市長"),
    Place("京都府", "京都市中京区", ("烏丸通", "河原町", "御池町"), _KYOTO, "075", "京都市長"),
    Place("大阪府", "大阪市中央区", ("本町", "北浜", "道修町"), _OSAKA, "06", "大阪市長"),
    Place("大阪府", "大阪市北区", ("梅田", "天満", "中之島"), _OSAKA_KITA, "06", "大阪市長"),
    Place("大阪府", "堺市堺区", ("南瓦町", "中瓦町", "大浜北町"), _SAKAI, "072", "堺市長"),
    Place("兵庫県", "神戸市中央区", ("三宮町", "元町通", "浜辺通"), _KOBE, "078", "神戸市長"),
    Place("広島県", "広島市中区", ("紙屋町", "大手町", "国泰寺町"), _HIROSHIMA, "082", "広島市長"),
    Place("福岡県", "福岡市中央区", ("天神", "大名", "赤坂"), _FUKUOKA, "092", "福岡市長"),
    Place("宮城県", "仙台市青葉区", ("本町", "国分町", "一番町"), _SENDAI, "022", "仙台市長"),
    Place(
        "北海道", "札幌市中央区", ("北一条西", "大通西", "南三条西"), _SAPPORO, "011", "札幌市長"
    ),
    Place("新潟県", "新潟市中央区", ("万代", "東大通", "古町通"), _NIIGATA, "025", "新潟市長"),
)
OFFICES: tuple[Office, ...] = tuple(dict.fromkeys(p.office for p in PLACES))

_KANJI_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九")


@dataclass(frozen=True)
class CompanyKind:
    """A legal form: how the name is built, who represents it, what the seal says."""

    label: str  # 株式会社
    code: str  # middle two digits of the 会社法人等番号
    qualification: str  # 資格 on the certificate
    seal_inner: str  # text in the middle of the registered seal
    title: str  # 役職 the applicant writes on the form
    weight: int


COMPANY_KINDS: tuple[CompanyKind, ...] = (
    CompanyKind("株式会社", "01", "代表取締役", "代表取締役之印", "代表取締役", 60),
    CompanyKind("株式会社", "01", "代表執行役", "代表執行役之印", "代表執行役社長", 3),
    CompanyKind("有限会社", "02", "取締役", "取締役之印", "取締役", 12),
    CompanyKind("合同会社", "03", "代表社員", "代表社員之印", "代表社員", 12),
    CompanyKind("合資会社", "04", "無限責任社員", "代表社員之印", "代表社員", 2),
    CompanyKind("一般社団法人", "05", "代表理事", "代表理事之印", "代表理事", 6),
    CompanyKind("特定非営利活動法人", "05", "理事", "理事之印", "理事長", 3),
)

# (name, romaji) stems and business words that make a company name.
_STEMS: tuple[tuple[str, str], ...] = (
    ("大洋", "taiyo"),
    ("東邦", "toho"),
    ("北斗", "hokuto"),
    ("青葉", "aoba"),
    ("みらい", "mirai"),
    ("サンライズ", "sunrise"),
    ("富士", "fuji"),
    ("三和", "sanwa"),
    ("丸山", "maruyama"),
    ("ひかり", "hikari"),
    ("桜花", "ouka"),
    ("高砂", "takasago"),
    ("アルファ", "alpha"),
    ("グリーンフィールド", "greenfield"),
    ("中央", "chuo"),
    ("日進", "nisshin"),
    ("浜松屋", "hamamatsuya"),
    ("瀬戸内", "setouchi"),
    ("広栄", "koei"),
    ("徳和", "tokuwa"),
    ("国際", "kokusai"),
    ("蔵前", "kuramae"),
    ("ブルーオーシャン", "blueocean"),
    ("やまびこ", "yamabiko"),
)
_BUSINESSES: tuple[tuple[str, str], ...] = (
    ("商事", "shoji"),
    ("システムズ", "systems"),
    ("工業", "kogyo"),
    ("建設", "kensetsu"),
    ("物産", "bussan"),
    ("電機", "denki"),
    ("食品", "foods"),
    ("運輸", "unyu"),
    ("ホールディングス", "hd"),
    ("テクノロジー", "tech"),
    ("不動産", "fudosan"),
    ("印刷", "print"),
    ("製作所", "seisakusho"),
    ("精機", "seiki"),
    ("ソリューションズ", "solutions"),
    ("デザイン", "design"),
    ("企画", "kikaku"),
    ("農園", "farm"),
)
_ASSOCIATIONS: tuple[tuple[str, str], ...] = (
    ("地域振興協会", "chiiki"),
    ("産業技術協会", "sangi"),
    ("まちづくり推進会", "machi"),
    ("文化交流センター", "bunka"),
)


@dataclass(frozen=True)
class Address:
    """An address kept with ASCII digits; each document prints them in its own width."""

    place: Place
    text: str  # 宮城県仙台市青葉区本町一丁目27番17号


@dataclass(frozen=True)
class Company:
    name: str
    kind: CompanyKind
    company_number: str  # 12-digit 会社法人等番号
    address: Address
    domain: str
    phone: str

    @property
    def corporate_number(self) -> str:
        return corporate_number_from_base(self.company_number)

    @property
    def office(self) -> Office:
        return self.address.place.office


def make_address(rng: random.Random, place: Place | None = None) -> Address:
    place = place or rng.choice(PLACES)
    town = rng.choice(place.towns)
    chome = _KANJI_NUMBERS[rng.randrange(0, 6)]
    # Some addresses have a 号 and others stop at 番地, as real ones do.
    if rng.random() < 0.8:
        rest = f"{chome}丁目{rng.randint(1, 40)}番{rng.randint(1, 30)}号"
    else:
        rest = f"{rng.randint(1, 3000)}番地"
    return Address(place, f"{place.prefecture}{place.city}{town}{rest}")


def make_company(rng: random.Random, used_numbers: set[str]) -> Company:
    kind = rng.choices(COMPANY_KINDS, weights=[k.weight for k in COMPANY_KINDS])[0]
    address = make_address(rng)
    if kind.code == "05":
        stem, stem_r = rng.choice(_STEMS)
        business, business_r = rng.choice(_ASSOCIATIONS)
        name = f"{kind.label}{stem}{business}"
    else:
        stem, stem_r = rng.choice(_STEMS)
        business, business_r = rng.choice(_BUSINESSES)
        core = f"{stem}{business}"
        # 前株 and 後株 both occur; 有限会社 and 合同会社 mostly put the label first.
        after = kind.label == "株式会社" and rng.random() < 0.35
        name = f"{core}{kind.label}" if after else f"{kind.label}{core}"
    while True:
        number = f"{address.place.office.code}{kind.code}{rng.randrange(0, 10**6):06d}"
        if number not in used_numbers:
            used_numbers.add(number)
            break
    domain = f"{stem_r}-{business_r}.{'or.jp' if kind.code == '05' else 'co.jp'}"
    return Company(name, kind, number, address, domain, make_phone(rng, address.place))


def make_phone(rng: random.Random, place: Place) -> str:
    area = place.area_code
    if rng.random() < 0.25:  # a mobile number
        return f"0{rng.choice('789')}0-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
    # A fixed-line number has ten digits: area code, local exchange, four-digit line.
    local = 10 - len(area) - 4
    return f"{area}-{rng.randrange(10 ** (local - 1), 10**local)}-{rng.randint(0, 9999):04d}"


def make_birth_date(rng: random.Random, received: date) -> date:
    # Era boundaries are where readers go wrong; put a few people right on them.
    if rng.random() < 0.04:
        return rng.choice(
            (date(1989, 1, 7), date(1989, 1, 8), date(1989, 1, 1), date(1989, 12, 31))
        )
    oldest = date(received.year - 80, 1, 1)
    youngest = date(received.year - 25, 12, 31)
    return oldest + timedelta(days=rng.randrange((youngest - oldest).days))


def make_person(rng: random.Random, received: date, variant_rich: float = 0.45) -> Person:
    """A representative. `variant_rich` is the share drawn from names that have a variant."""
    if rng.random() < variant_rich:
        candidates = [f for f in FAMILY_NAMES if has_variant(f[0])]
    else:
        candidates = list(FAMILY_NAMES)
    family = rng.choice(candidates)
    given = rng.choice(GIVEN_NAMES)
    return Person(
        family=family[0],
        given=given[0],
        family_kana=family[1],
        given_kana=given[1],
        family_romaji=family[2],
        given_romaji=given[2],
        birth_date=make_birth_date(rng, received),
    )


def other_person(person: Person, rng: random.Random) -> Person:
    """Someone else: a different family or given name, never only a variant spelling."""
    while True:
        change_family = rng.random() < 0.5
        family = rng.choice(FAMILY_NAMES) if change_family else None
        given = None if change_family else rng.choice(GIVEN_NAMES)
        new_family = family[0] if family else person.family
        new_given = given[0] if given else person.given
        if fold_variants(new_family) == fold_variants(person.family) and fold_variants(
            new_given
        ) == fold_variants(person.given):
            continue
        # 斎藤 and 斉藤 read alike but are different names, so they count as different.
        return Person(
            family=new_family,
            given=new_given,
            family_kana=family[1] if family else person.family_kana,
            given_kana=given[1] if given else person.given_kana,
            family_romaji=family[2] if family else person.family_romaji,
            given_romaji=given[2] if given else person.given_romaji,
            birth_date=person.birth_date,
        )


def registrar_name(rng: random.Random) -> str:
    """A registrar (登記官) as certificates print them: one full-width space between characters."""
    family = rng.choice(FAMILY_NAMES)[0]
    given = rng.choice(GIVEN_NAMES)[0]
    return "\u3000".join(family + given)


def email_for(person: Person, company: Company, rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        local = f"{person.given_romaji[0]}.{person.family_romaji}"
    elif style == 1:
        local = f"{person.family_romaji}{rng.randint(1, 99)}"
    else:
        local = rng.choice(("info", "admin", "soumu", "office"))
    return f"{local}@{company.domain}"
