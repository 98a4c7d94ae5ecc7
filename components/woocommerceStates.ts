/**
 * Which WooCommerce states a store country takes, so that `validate` refuses a country the
 * setup Job's verification order cannot use. A table of facts taken from WooCommerce itself
 * (no npm package carries them): the state codes of `plugins/woocommerce/i18n/states.php`
 * (woocommerce/woocommerce at 123d4995a032e7c9711536052c50e401fd06631a) and the countries whose
 * checkout does not require a state, from `WC_Countries::get_country_locale()`
 * (`includes/class-wc-countries.php`, `'state' => array( 'required' => false … )`). Compare it
 * with those two files when WooCommerce (components/defaults.ts) is upgraded.
 */

/** `from`..`to` as codes: range("BD-", 1, 64, 2) → BD-01 … BD-64. */
function range(prefix: string, from: number, to: number, width = 0): string[] {
    return Array.from({ length: to - from + 1 }, (_, index) => `${prefix}${String(from + index).padStart(width, "0")}`);
}

const words = (text: string) => text.split(" ");

/** Countries with a list of states in WooCommerce: the state must be one of these codes. */
export const WOOCOMMERCE_STATES: Readonly<Record<string, readonly string[]>> = {
    AL: range("AL-", 1, 12, 2),
    AO: words("BGO BLU BIE CAB CNN HUA HUI CCU CNO CUS LUA LNO LSU MAL MOX NAM UIG ZAI"),
    AR: words("C B K H U X W E P Y L F M N Q R A J D Z S G V T"),
    AU: words("ACT NSW NT QLD SA TAS VIC WA"),
    BD: range("BD-", 1, 64, 2),
    BG: range("BG-", 1, 28, 2),
    BJ: words("AL AK AQ BO CO KO DO LI MO OU PL ZO"),
    BO: words("BO-B BO-H BO-C BO-L BO-O BO-N BO-P BO-S BO-T"),
    BR: words("AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO"),
    CA: words("AB BC MB NB NL NT NS NU ON PE QC SK YT"),
    CH: words("AG AR AI BL BS BE FR GE GL GR JU LU NE NW OW SH SZ SO SG TG TI UR VS VD ZG ZH"),
    CL: words("CL-AI CL-AN CL-AP CL-AR CL-AT CL-BI CL-CO CL-LI CL-LL CL-LR CL-MA CL-ML CL-NB CL-RM CL-TA CL-VS"),
    CN: range("CN", 1, 32),
    CO: words("CO-AMA CO-ANT CO-ARA CO-ATL CO-BOL CO-BOY CO-CAL CO-CAQ CO-CAS CO-CAU CO-CES CO-CHO CO-COR CO-CUN CO-DC CO-GUA CO-GUV CO-HUI CO-LAG CO-MAG CO-MET CO-NAR CO-NSA CO-PUT CO-QUI CO-RIS CO-SAN CO-SAP CO-SUC CO-TOL CO-VAC CO-VAU CO-VID"),
    CR: words("CR-A CR-C CR-G CR-H CR-L CR-P CR-SJ"),
    DE: words("DE-BW DE-BY DE-BE DE-BB DE-HB DE-HH DE-HE DE-MV DE-NI DE-NW DE-RP DE-SL DE-SN DE-ST DE-SH DE-TH"),
    DO: range("DO-", 1, 42, 2),
    DZ: range("DZ-", 1, 48, 2),
    EC: words("EC-A EC-B EC-F EC-C EC-H EC-X EC-O EC-E EC-W EC-G EC-I EC-L EC-R EC-M EC-S EC-N EC-D EC-Y EC-P EC-SE EC-SD EC-U EC-T EC-Z"),
    EG: words("EGALX EGASN EGAST EGBA EGBH EGBNS EGC EGDK EGDT EGFYM EGGH EGGZ EGIS EGJS EGKB EGKFS EGKN EGLX EGMN EGMNF EGMT EGPTS EGSHG EGSHR EGSIN EGSUZ EGWAD"),
    ES: words("C VI AB A AL O AV BA PM B BU CC CA S CS CE CR CO CU GI GR GU SS H HU J LO GC LE L LU M MA ML MU NA OR P PO SA TF SG SE SO T TE TO V VA BI ZA Z"),
    GH: words("AF AH BA BO BE CP EP AA NE NP OT SV UE UW TV WP WN"),
    GR: words("I A B C D E F G H J K L M"),
    GT: words("GT-AV GT-BV GT-CM GT-CQ GT-PR GT-ES GT-GU GT-HU GT-IZ GT-JA GT-JU GT-PE GT-QZ GT-QC GT-RE GT-SA GT-SM GT-SR GT-SO GT-SU GT-TO GT-ZA"),
    // Codes with spaces: the setup Job's CC:STATE format cannot carry them (see readCountry).
    HK: ["HONG KONG", "KOWLOON", "NEW TERRITORIES"],
    HN: words("HN-AT HN-IB HN-CH HN-CL HN-CM HN-CP HN-CR HN-EP HN-FM HN-GD HN-IN HN-LE HN-LP HN-OC HN-OL HN-SB HN-VA HN-YO"),
    HU: words("BK BE BA BZ BU CS FE GS HB HE JN KE NO PE SO SZ TO VA VE ZA"),
    ID: words("AC SU SB RI KR JA SS BB BE LA JK JB BT JT JI YO BA NB NT KB KT KI KS KU SA ST SG SR SN GO MA MU PA PB"),
    IE: words("CW CN CE CO DL D G KY KE KK LS LM LK LD LH MO MH MN OY RN SO TA WD WH WX WW"),
    IN: words("AP AR AS BR CT GA GJ HR HP JK JH KA KL LA MP MH MN ML MZ NL OR PB RJ SK TN TS TR UK UP WB AN CH DN DD DL LD PY"),
    IR: words("KHZ THR ILM BHR ADL ESF YZD KRH KRN HDN GZN ZJN LRS ABZ EAZ WAZ CHB SKH RKH NKH SMN FRS QHM KRD KBD GLS GIL MZN MKZ HRZ SBN"),
    IT: words("AG AL AN AO AR AP AT AV BA BT BL BN BG BI BO BZ BS BR CA CL CB CE CT CZ CH CO CS CR KR CN EN FM FE FI FG FC FR GE GO GR IM IS SP AQ LT LE LC LI LO LU MC MN MS MT ME MI MO MB NA NO NU OR PD PA PR PV PG PU PE PC PI PT PN PZ PO RG RA RC RE RI RN RM RO SA SS SV SI SR SO SU TA TE TR TO TP TN TV TS UD VA VE VB VC VR VV VI VT"),
    JM: range("JM-", 1, 14, 2),
    JP: range("JP", 1, 47, 2),
    KE: range("KE", 1, 47, 2),
    KN: ["KNK", "KNN", ...range("KN", 1, 13, 2), "KN15"],
    LA: words("AT BK BL CH HO KH LM LP OU PH SL SV VI VT XA XE XI XS"),
    LR: words("BM BN GA GB GC GG GK LO MA MY MO NM RV RG SN"),
    // WooCommerce keys Morocco's regions in lowercase; compared without case here.
    MA: words("MAAGD MAAZI MABEM MABER MABES MABOD MABOM MABRR MACAS MACHE MACHI MACHT MADRI MAEDI MAERR MAFAH MAFES MAFIG MAFQH MAGUE MAGUF MAHAJ MAHAO MAHOC MAIFR MAINE MAJDI MAJRA MAKEN MAKES MAKHE MAKHN MAKHO MALAA MALAR MAMAR MAMDF MAMED MAMEK MAMID MAMMD MAMMN MAMOH MAMOU MANAD MANOU MAOUA MAOUD MAOUJ MAOUZ MARAB MAREH MASAF MASAL MASEF MASET MASIB MASIF MASIK MASIL MASKH MASYB MATAF MATAI MATAO MATAR MATAT MATAZ MATET MATIN MATIZ MATNG MATNT MAYUS MAZAG"),
    MD: words("C BL AN BS BR CH CT CL CS CM CR DN DR DB ED FL FR GE GL HN IL LV NS OC OR RZ RS SG SR ST SD SV TR TL UN"),
    MX: words("DF JA NL AG BC BS CM CS CH CO CL DG GT GR HG MX MI MO NA OA PU QT QR SL SI SO TB TM TL VE YU ZA"),
    MY: words("JHR KDH KTN LBN MLK NSN PHG PNG PRK PLS SBH SWK SGR TRG PJY KUL"),
    MZ: words("MZP MZG MZI MZB MZL MZMPM MZN MZA MZS MZT MZQ"),
    NA: words("ER HA KA KE KW KH KU OW OH OS ON OT OD CA"),
    NG: words("AB FC AD AK AN BA BY BE BO CR DE EB ED EK EN GO IM JI KD KN KT KE KO KW LA NA NI OG ON OS OY PL RI SO TA YO ZA"),
    NI: words("NI-AN NI-AS NI-BO NI-CA NI-CI NI-CO NI-ES NI-GR NI-JI NI-LE NI-MD NI-MN NI-MS NI-MT NI-NS NI-RI NI-SJ"),
    NP: words("BAG BHE DHA GAN JAN KAR KOS LUM MAH MEC NAR RAP SAG SET"),
    NZ: words("NTL AUK WKO BOP TKI GIS HKB MWT WGN NSN MBH TAS WTC CAN OTA STL"),
    PA: [...range("PA-", 1, 10), "PA-EM", "PA-KY", "PA-NB"],
    PE: words("CAL LMA AMA ANC APU ARE AYA CAJ CUS HUV HUC ICA JUN LAL LAM LIM LOR MDD MOQ PAS PIU PUN SAM TAC TUM UCA"),
    PH: words("ABR AGN AGS AKL ALB ANT APA AUR BAS BAN BTN BTG BEN BIL BOH BUK BUL CAG CAN CAS CAM CAP CAT CAV CEB COM NCO DAV DAS DAC DAO DIN EAS GUI IFU ILN ILS ILI ISA KAL LUN LAG LAN LAS LEY MAG MAD MAS MSC MSR MOU NEC NER NSA NUE NUV MDC MDR PLW PAM PAN QUE QUI RIZ ROM WSA SAR SIQ SOR SCO SLE SUK SLU SUN SUR TAR TAW ZMB ZAN ZAS ZSI 00"),
    PK: words("JK BA TA GB IS KP PB SD"),
    PY: ["PY-ASU", ...range("PY-", 1, 17)],
    RO: words("AB AR AG BC BH BN BT BR BV B BZ CL CS CJ CT CV DB DJ GL GR GJ HR HD IL IS IF MM MH MS NT OT PH SJ SM SB SV TR TM TL VL VS VN"),
    RS: [...range("RS", 0, 29, 2), "RSKM", "RSVO"],
    SN: words("SNDB SNDK SNFK SNKA SNKD SNKE SNKL SNLG SNMT SNSE SNSL SNTC SNTH SNZG"),
    SV: words("SV-AH SV-CA SV-CH SV-CU SV-LI SV-MO SV-PA SV-SA SV-SM SV-SO SV-SS SV-SV SV-UN SV-US"),
    TH: words("37 15 14 10 38 31 24 18 36 22 50 57 20 86 46 62 71 40 81 52 51 42 16 58 44 49 26 73 48 30 60 80 55 96 39 43 12 13 94 82 93 56 67 76 66 65 54 83 25 77 85 70 21 45 27 47 11 74 75 19 91 17 33 90 64 72 84 32 63 92 23 34 41 61 53 95 35").map((code) => `TH-${code}`),
    TR: range("TR", 1, 81, 2),
    TZ: range("TZ", 1, 30, 2),
    UA: words("05 07 09 12 14 18 21 23 26 30 32 35 40 43 46 48 51 53 56 59 61 63 65 68 71 74 77").map((code) => `UA${code}`),
    UG: words("314 301 322 323 315 324 216 316 302 303 217 218 201 235 420 117 219 118 220 225 416 401 430 402 202 221 119 233 120 226 317 121 304 403 417 203 418 204 318 404 405 213 427 428 101 222 122 102 205 413 414 206 236 126 406 207 112 407 103 227 432 419 421 408 305 319 325 306 208 333 228 123 422 415 125 326 307 229 104 124 114 223 320 105 409 214 209 410 423 115 308 309 106 107 108 334 311 116 109 230 234 224 327 310 231 424 411 328 331 329 321 312 332 210 110 429 425 431 412 111 232 426 215 211 212 113 313 330").map((code) => `UG${code}`),
    UM: words("81 84 86 67 89 71 76 95 79"),
    US: words("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AA AE AP"),
    UY: words("UY-AR UY-CA UY-CL UY-CO UY-DU UY-FS UY-FD UY-LA UY-MA UY-MO UY-PA UY-RN UY-RV UY-RO UY-SA UY-SJ UY-SO UY-TA UY-TT"),
    VE: words("A B C D E F G H I J K L M N O P R S T U V W X Y Z").map((code) => `VE-${code}`),
    ZA: words("EC FS GP KZN LP MP NC NW WC"),
    ZM: range("ZM-", 1, 10, 2),
};

/** Countries WooCommerce keeps without states (an empty list): a state cannot be given. */
export const WOOCOMMERCE_NO_STATES: ReadonlySet<string> = new Set(words("AF AT AX BE BH BI CZ DK EE ET FI FR GF GP IS IL IM KR KW LB LI LU MF MQ MT NL NO PL PR PT RE RW SG SK SI LK SE VN YT"));

/** Countries whose checkout does not require a state; every other country requires one. */
export const WOOCOMMERCE_STATE_OPTIONAL: ReadonlySet<string> = new Set(words("AE AF AT AX BA BE BG BH BI BZ CH CW CZ DE DK EE ET FI FR GG GP GF GR HU IS IL IM KR KW LV LB MF MQ MT NL NZ NO PL PR PT RE RS RW SG SK SI LI LK LU SE GB VN YT"));

/**
 * The state the setup Job's verification order uses when the store country has none
 * (`billing_address` in setup/woostore-setup.sh; a unit test keeps the two equal).
 */
export const SETUP_DEFAULT_STATES: Readonly<Record<string, string>> = {
    US: "CA", CA: "ON", IE: "D", CH: "ZH", ES: "M", IT: "RM", AU: "NSW", IN: "MH", JP: "JP13", BR: "SP", MX: "DF",
};
