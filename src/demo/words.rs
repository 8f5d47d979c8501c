//! Word lists for the concert generator: real artists, works and venues (with their real
//! cities), so demo searches such as `아이유 콘서트`, `IU`, `레미제라블` or `부산 뮤지컬`
//! hit plausible documents. Templates use the slots filled in `concert.rs`.

/// A performer: Hangul name, Latin name (`""` when the act has none in common use) and an
/// optional signature-show title template (`""` for none).
pub(super) struct Artist {
    pub ko: &'static str,
    pub latin: &'static str,
    pub signature: &'static str,
}

const fn a(ko: &'static str, latin: &'static str) -> Artist {
    Artist {
        ko,
        latin,
        signature: "",
    }
}

const fn sig(ko: &'static str, latin: &'static str, signature: &'static str) -> Artist {
    Artist {
        ko,
        latin,
        signature,
    }
}

/// Singers, idols and bands: concerts, fan meetings and festival line-ups.
pub(super) const POP: &[Artist] = &[
    a("아이유", "IU"),
    a("방탄소년단", "BTS"),
    a("뉴진스", "NewJeans"),
    a("세븐틴", "SEVENTEEN"),
    sig("임영웅", "", "임영웅 전국투어 콘서트 〈IM HERO〉 - {c}"),
    sig("성시경", "", "{y} 성시경 연말 콘서트 〈축가〉"),
    sig("싸이", "PSY", "싸이 흠뻑쇼 SUMMERSWAG {y}"),
    a("잔나비", "JANNABI"),
    a("데이식스", "DAY6"),
    a("아이브", "IVE"),
    a("르세라핌", "LE SSERAFIM"),
    a("에스파", "aespa"),
    a("블랙핑크", "BLACKPINK"),
    a("트와이스", "TWICE"),
    a("스트레이 키즈", "Stray Kids"),
    a("엔시티 드림", "NCT DREAM"),
    a("레드벨벳", "Red Velvet"),
    a("태연", "TAEYEON"),
    a("박효신", ""),
    a("김범수", ""),
    sig("이문세", "", "{y} 이문세 콘서트 〈THEATER 이문세〉 - {c}"),
    sig("조용필", "", "조용필 & 위대한탄생 콘서트 - {c}"),
    a("이승철", ""),
    a("송가인", ""),
    a("영탁", ""),
    a("이찬원", ""),
    a("악뮤", "AKMU"),
    a("볼빨간사춘기", ""),
    a("십센치", "10CM"),
    a("혁오", "HYUKOH"),
    a("새소년", "SE SO NEON"),
    a("넬", "NELL"),
    a("국카스텐", "Guckkasten"),
    a("자우림", "JAURIM"),
    a("장범준", ""),
    a("폴킴", "Paul Kim"),
    a("백예린", "Yerin Baek"),
    a("에픽하이", "EPIK HIGH"),
    a("지코", "ZICO"),
    a("지드래곤", "G-DRAGON"),
    a("샤이니", "SHINee"),
    a("엑소", "EXO"),
    a("투모로우바이투게더", "TXT"),
    a("엔하이픈", "ENHYPEN"),
    a("있지", "ITZY"),
    a("라이즈", "RIIZE"),
    a("베이비몬스터", "BABYMONSTER"),
    a("하이라이트", "Highlight"),
    a("씨엔블루", "CNBLUE"),
    a("윤하", "YOUNHA"),
    a("멜로망스", "MeloMance"),
    a("이적", ""),
    a("루시", "LUCY"),
];

/// Classical performers with the label their shows carry.
pub(super) const CLASSICAL: &[(Artist, &str)] = &[
    (a("조성진", "Seong-Jin Cho"), "피아노 리사이틀"),
    (a("임윤찬", "Yunchan Lim"), "피아노 리사이틀"),
    (a("손열음", "Yeol Eum Son"), "피아노 리사이틀"),
    (a("선우예권", ""), "피아노 리사이틀"),
    (a("정경화", "Kyung-Wha Chung"), "바이올린 리사이틀"),
    (a("클라라 주미 강", "Clara-Jumi Kang"), "바이올린 리사이틀"),
    (a("양인모", ""), "바이올린 리사이틀"),
    (a("한재민", ""), "첼로 리사이틀"),
    (a("조수미", "Sumi Jo"), "소프라노 리사이틀"),
    (a("베를린 필하모닉", "Berliner Philharmoniker"), "내한공연"),
    (a("빈 필하모닉", "Wiener Philharmoniker"), "내한공연"),
    (
        a("런던 심포니 오케스트라", "London Symphony Orchestra"),
        "내한공연",
    ),
    (a("로열 콘세르트헤바우 오케스트라", ""), "내한공연"),
    (a("서울시립교향악단", "Seoul Philharmonic"), "정기연주회"),
    (a("KBS교향악단", "KBS Symphony Orchestra"), "정기연주회"),
    (a("정명훈", "Myung-Whun Chung"), "지휘 콘서트"),
];

pub(super) const JAZZ: &[Artist] = &[
    a("나윤선", "Youn Sun Nah"),
    a("웅산", "WoongSan"),
    a("말로", ""),
    a("윈터플레이", "Winterplay"),
    a("진보라", ""),
    a("송영주", ""),
    a("팻 메시니", "Pat Metheny"),
    a("다이애나 크롤", "Diana Krall"),
    a("그레고리 포터", "Gregory Porter"),
    a("브래드 멜다우", "Brad Mehldau"),
];

pub(super) const MUSICAL_ACTORS: &[Artist] = &[
    a("옥주현", ""),
    a("조승우", ""),
    a("홍광호", ""),
    a("김준수", ""),
    a("정선아", ""),
    a("박은태", ""),
    a("차지연", ""),
    a("민우혁", ""),
    a("카이", ""),
    a("신영숙", ""),
    a("최재림", ""),
    a("전동석", ""),
    a("김소현", ""),
];

pub(super) const PLAY_ACTORS: &[Artist] = &[
    a("이순재", ""),
    a("신구", ""),
    a("박근형", ""),
    a("박정자", ""),
    a("손숙", ""),
    a("오만석", ""),
    a("황정민", ""),
    a("전도연", ""),
    a("김수로", ""),
];

/// Opera and dance companies come first in their shows' artist lists; soloists follow.
pub(super) const OPERA_COMPANIES: &[Artist] = &[
    a("국립오페라단", "Korea National Opera"),
    a("서울시오페라단", ""),
    a("솔오페라단", ""),
];
pub(super) const OPERA_SINGERS: &[Artist] = &[
    a("홍혜경", ""),
    a("연광철", ""),
    a("사무엘 윤", "Samuel Youn"),
    a("조수미", "Sumi Jo"),
];
pub(super) const DANCE_COMPANIES: &[Artist] = &[
    a("국립발레단", "Korean National Ballet"),
    a("유니버설발레단", "Universal Ballet"),
    a("국립무용단", ""),
    a("서울시무용단", ""),
];
pub(super) const DANCERS: &[Artist] = &[a("박세은", ""), a("김기민", ""), a("강수진", "")];

pub(super) const MUSICALS: &[&str] = &[
    "레미제라블",
    "오페라의 유령",
    "위키드",
    "시카고",
    "맘마미아!",
    "캣츠",
    "레베카",
    "엘리자벳",
    "모차르트!",
    "지킬 앤 하이드",
    "영웅",
    "명성황후",
    "빨래",
    "마틸다",
    "드라큘라",
    "하데스타운",
    "광화문연가",
    "웃는 남자",
    "프랑켄슈타인",
    "베르테르",
    "헤드윅",
    "노트르담 드 파리",
];
pub(super) const PLAYS: &[&str] = &[
    "햄릿",
    "맥베스",
    "리어왕",
    "갈매기",
    "벚꽃동산",
    "고도를 기다리며",
    "세일즈맨의 죽음",
    "한여름 밤의 꿈",
    "오이디푸스",
    "날 보러와요",
    "관객모독",
    "라이어",
    "옥탑방 고양이",
    "늘근도둑이야기",
    "웃음의 대학",
];
pub(super) const OPERAS: &[&str] = &[
    "라 트라비아타",
    "카르멘",
    "투란도트",
    "마술피리",
    "라 보엠",
    "나비부인",
    "토스카",
    "피가로의 결혼",
    "리골레토",
    "아이다",
];
pub(super) const BALLETS: &[&str] = &[
    "백조의 호수",
    "호두까기 인형",
    "지젤",
    "돈키호테",
    "춘향",
    "심청",
    "잠자는 숲속의 미녀",
    "로미오와 줄리엣",
];
pub(super) const TOURS: &[&str] = &[
    "HEREH",
    "THE GOLDEN HOUR",
    "Love poem",
    "FOLLOW",
    "Bunnies Camp",
    "SHOW WHAT I AM",
    "Welcome Home",
    "Into the Light",
    "별빛",
    "여름밤",
    "다시, 봄",
    "우리의 계절",
    "ONE",
    "Dear My Muse",
    "BORN PINK",
    "소풍",
    "HOME",
    "Right Here",
    "너의 이름",
    "Encore",
];
pub(super) const COMPOSERS: &[&str] = &[
    "베토벤",
    "모차르트",
    "쇼팽",
    "브람스",
    "라흐마니노프",
    "차이콥스키",
    "말러",
    "드뷔시",
    "라벨",
    "슈만",
    "바흐",
    "리스트",
];

/// Where a venue fits: each genre lists the kinds it plays in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hall {
    Arena,
    Pop,
    Classical,
    Theater,
    Small,
    Outdoor,
}

pub(super) struct Venue {
    pub name: &'static str,
    pub city: &'static str,
    pub hall: Hall,
}

const fn v(name: &'static str, city: &'static str, hall: Hall) -> Venue {
    Venue { name, city, hall }
}

pub(super) const VENUES: &[Venue] = &[
    v("올림픽공원 KSPO DOME", "서울", Hall::Arena),
    v("고척스카이돔", "서울", Hall::Arena),
    v("잠실종합운동장 주경기장", "서울", Hall::Arena),
    v("인천 인스파이어 아레나", "인천", Hall::Arena),
    v("부산 벡스코 오디토리움", "부산", Hall::Arena),
    v("부산 아시아드 주경기장", "부산", Hall::Arena),
    v("대구 엑스코", "대구", Hall::Arena),
    v("광주 김대중컨벤션센터", "광주", Hall::Arena),
    v("고양 킨텍스", "고양", Hall::Arena),
    v("올림픽공원 올림픽홀", "서울", Hall::Pop),
    v("예스24 라이브홀", "서울", Hall::Pop),
    v("블루스퀘어 SOL트래블홀", "서울", Hall::Pop),
    v("대전 컨벤션센터", "대전", Hall::Pop),
    v("예술의전당 콘서트홀", "서울", Hall::Classical),
    v("롯데콘서트홀", "서울", Hall::Classical),
    v("세종문화회관 대극장", "서울", Hall::Classical),
    v("대전 예술의전당", "대전", Hall::Classical),
    v("부산문화회관 대극장", "부산", Hall::Classical),
    v("아트센터인천 콘서트홀", "인천", Hall::Classical),
    v("통영국제음악당", "통영", Hall::Classical),
    v("경기아트센터 대극장", "수원", Hall::Classical),
    v("블루스퀘어 신한카드홀", "서울", Hall::Theater),
    v("샤롯데씨어터", "서울", Hall::Theater),
    v("충무아트센터 대극장", "서울", Hall::Theater),
    v("예술의전당 오페라극장", "서울", Hall::Theater),
    v("국립극장 해오름극장", "서울", Hall::Theater),
    v("LG아트센터 서울", "서울", Hall::Theater),
    v("디큐브 링크아트센터", "서울", Hall::Theater),
    v("부산 드림씨어터", "부산", Hall::Theater),
    v("대구 오페라하우스", "대구", Hall::Theater),
    v("계명아트센터", "대구", Hall::Theater),
    v("성남아트센터 오페라하우스", "성남", Hall::Theater),
    v("광주문화예술회관 대극장", "광주", Hall::Theater),
    v("한국소리문화의전당 모악당", "전주", Hall::Theater),
    v("울산문화예술회관 대공연장", "울산", Hall::Theater),
    v("제주아트센터", "제주", Hall::Theater),
    v("대학로 아르코예술극장", "서울", Hall::Small),
    v("두산아트센터 연강홀", "서울", Hall::Small),
    v("예술의전당 자유소극장", "서울", Hall::Small),
    v("예술의전당 IBK챔버홀", "서울", Hall::Small),
    v("롤링홀", "서울", Hall::Small),
    v("수성아트피아 소극장", "대구", Hall::Small),
    v("난지한강공원", "서울", Hall::Outdoor),
    v("올림픽공원 88잔디마당", "서울", Hall::Outdoor),
    v("인천 송도달빛축제공원", "인천", Hall::Outdoor),
    v("부산 삼락생태공원", "부산", Hall::Outdoor),
    v("자라섬", "가평", Hall::Outdoor),
];

/// Festival names without their line-up; `jazz` ones draw jazz acts.
pub(super) const FESTIVALS_JAZZ: &[&str] = &[
    "{s} 재즈 페스티벌",
    "서울 재즈 페스티벌 {y}",
    "{c} 재즈 페스티벌",
    "{y} {s}재즈페스티벌",
];
pub(super) const FESTIVALS_POP: &[&str] = &[
    "{y} {c} 록 페스티벌",
    "뷰티풀 민트 라이프 {y}",
    "그랜드 민트 페스티벌 {y}",
    "{c} {s} 뮤직 페스티벌",
    "{s}공연 페스티벌 - {c}",
    "{y} {s} 음악축제",
    "{s}밤 페스티벌 in {c}",
];
