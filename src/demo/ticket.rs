//! One support ticket from `(seed, id)`: the category is drawn first and picks the subject
//! and body lines, so the text always matches its label; then the colloquial noise (missing
//! spaces, typos) and a plausible life cycle in time.

use super::Ticket;
use super::rng::{Rng, days_from_civil, format_rfc3339, weekday};
use super::text::{Slots, add_typo, despace, expand};
use super::words::{CLASSICAL, MUSICALS, PLAYS, POP, VENUES};

/// Separates the ticket streams from the concert streams of the same seed.
const DOMAIN: u64 = 0x71C4_E7D0_0000_0002;

/// Category names, in the order of `CATEGORY_TEXT`.
pub(super) const CATEGORIES: [&str; 10] = [
    "결제",
    "환불",
    "예매",
    "취소",
    "계정",
    "로그인",
    "배송",
    "좌석",
    "기술문제",
    "기타",
];
const CATEGORY_WEIGHTS: [u32; 10] = [14, 14, 16, 12, 7, 10, 5, 8, 9, 5];
pub(super) const STATUSES: [&str; 4] = ["open", "pending", "resolved", "closed"];
const STATUS_WEIGHTS: [u32; 4] = [30, 20, 35, 15];
const PRIORITY_WEIGHTS: [u32; 4] = [15, 40, 35, 10];
const ASSIGNEES: [&str; 15] = [
    "김민준",
    "이서연",
    "박지훈",
    "최수아",
    "정하은",
    "강도윤",
    "조예린",
    "윤서준",
    "장지민",
    "임하준",
    "한소율",
    "오지호",
    "서유나",
    "신동현",
    "권나연",
];

/// Per category: subjects, then body lines that state the problem.
const CATEGORY_TEXT: [(&[&str], &[&str]); 10] = [
    (
        &[
            "카드결제 오류",
            "결제 오류 문의",
            "결제가 안돼요",
            "결제했는데 티켓이 안 보여요",
            "{x} 결제 문의",
            "무통장입금 확인 요청",
            "결제가 두번 됐어요",
            "카카오페이 결제 실패",
        ],
        &[
            "결제했는데 티켓이 안 보여요.",
            "카드 결제하는 중에 오류가 떴어요.",
            "결제 버튼을 눌렀는데 계속 로딩만 돼요.",
            "같은 공연이 두 번 결제됐어요.",
            "무통장입금 했는데 아직 입금 확인이 안 됐다고 나와요.",
            "카카오페이로 결제하려는데 실패했다고 떠요.",
            "결제 금액이 {p}으로 찍혔는데 원래 가격이랑 달라요.",
        ],
    ),
    (
        &[
            "환불해주세요",
            "{x} 티켓 환불 문의",
            "환불 언제 되나요?",
            "환불 금액이 달라요",
            "취소했는데 환불이 안됐어요",
            "환불 요청합니다",
        ],
        &[
            "환불해주세요.",
            "예매 취소했는데 환불이 아직 안 들어왔어요.",
            "환불 수수료가 왜 이렇게 많이 나왔는지 궁금해요.",
            "공연이 취소됐는데 환불은 자동으로 되나요?",
            "카드 환불은 며칠 걸리나요?",
            "{x} 티켓 환불 받고 싶어요.",
            "부분 환불 가능한가요?",
        ],
    ),
    (
        &[
            "예매가 안돼요",
            "{a} 티켓 예매 문의",
            "예매 내역이 안 보여요",
            "대기열에서 튕겼어요",
            "선예매 인증 문의",
            "예매하기 버튼이 안 눌려요",
        ],
        &[
            "예매하기 버튼을 눌러도 아무 반응이 없어요.",
            "예매 대기열 기다리다가 갑자기 튕겼어요 ㅠㅠ",
            "팬클럽 선예매 인증을 했는데 예매가 안돼요.",
            "예매 내역에서 {x} 공연이 안 보여요.",
            "1인 최대 몇 매까지 예매할 수 있나요?",
            "어제 예매했는데 확인 문자가 안 왔어요.",
        ],
    ),
    (
        &[
            "예매취소하고싶어요",
            "예매 취소 문의",
            "취소 수수료 문의",
            "취소 버튼이 없어요",
            "{x} 취소 가능한가요?",
        ],
        &[
            "예매 취소하고 싶어요.",
            "취소하려고 하는데 취소 버튼이 안 보여요.",
            "공연 {n}일 전인데 취소 수수료가 얼마인가요?",
            "일부 좌석만 취소할 수 있나요?",
            "실수로 두 장 예매해서 한 장만 취소하고 싶어요.",
        ],
    ),
    (
        &[
            "회원탈퇴 하고싶어요",
            "아이디를 까먹었어요",
            "본인인증이 안돼요",
            "휴대폰 번호 변경",
            "계정이 정지됐어요",
        ],
        &[
            "아이디가 기억이 안 나요.",
            "휴대폰 번호가 바뀌어서 본인인증이 안돼요.",
            "회원탈퇴는 어떻게 하나요?",
            "제 계정이 갑자기 정지됐다고 나와요.",
            "계정 이메일 주소를 변경하고 싶어요.",
        ],
    ),
    (
        &[
            "로그인이 안돼요",
            "로그인이안돼요",
            "비밀번호 재설정 메일이 안와요",
            "카카오 로그인 오류",
            "자꾸 로그아웃돼요",
        ],
        &[
            "로그인이 안돼요.",
            "비밀번호를 맞게 입력했는데 로그인이 안 돼요.",
            "비밀번호 재설정 메일이 안와요.",
            "카카오 로그인 누르면 빈 화면만 나와요.",
            "앱에서 자꾸 로그아웃돼요.",
            "로그인하면 {e} 오류가 떠요.",
        ],
    ),
    (
        &[
            "티켓 배송 언제 오나요?",
            "배송지 변경 문의",
            "티켓이 아직 안왔어요",
            "배송조회가 안돼요",
        ],
        &[
            "티켓 배송으로 선택했는데 아직 안 왔어요.",
            "배송지 주소를 잘못 입력했어요. 변경 가능한가요?",
            "공연이 {d}인데 티켓이 언제 도착하나요?",
            "운송장 번호로 조회해도 안 나와요.",
            "배송 말고 현장수령으로 바꿀 수 있나요?",
        ],
    ),
    (
        &[
            "좌석변경 가능한가요?",
            "좌석 배치도 문의",
            "휠체어석 예매 문의",
            "연석으로 바꾸고 싶어요",
            "시야방해석 문의",
        ],
        &[
            "좌석변경 가능한가요?",
            "{v} {z}인데 무대가 잘 보이나요?",
            "휠체어석은 어떻게 예매하나요?",
            "친구랑 떨어진 좌석으로 예매됐는데 붙어있는 자리로 바꿀 수 있나요?",
            "시야방해석이라는 안내를 못 봤어요.",
        ],
    ),
    (
        &[
            "qr코드가 안떠요",
            "앱이 자꾸 꺼져요",
            "모바일티켓 오류",
            "페이지가 안 열려요",
            "QR 입장이 안돼요",
        ],
        &[
            "qr코드가 안떠요.",
            "모바일 티켓을 열면 앱이 꺼져요.",
            "아이폰에서 예매 페이지가 하얗게 나와요.",
            "앱 업데이트하고 나서 티켓이 안 보여요.",
            "입장할 때 QR코드 인식이 안 됐어요.",
            "크롬에서는 되는데 사파리에서는 결제창이 안 떠요.",
        ],
    ),
    (
        &[
            "문의드립니다",
            "공연 시간 문의",
            "주차 가능한가요?",
            "{v} 가는 길 문의",
            "단체관람 할인 문의",
            "굿즈 판매 문의",
        ],
        &[
            "{v}에 주차할 수 있나요?",
            "공연 시작 몇 분 전까지 입장해야 하나요?",
            "{x} 러닝타임이 어떻게 되나요?",
            "20명 단체관람 할인이 있나요?",
            "공연장에서 굿즈도 파나요?",
            "어린이도 관람 가능한가요?",
        ],
    ),
];
const OPENERS: &[&str] = &[
    "안녕하세요.",
    "안녕하세요~",
    "문의드립니다.",
    "저기요",
    "수고하십니다.",
];
const CONTEXT: &[&str] = &[
    "{x} {d} 공연이에요.",
    "예매번호는 {o}입니다.",
    "{v}에서 하는 {x:이에요}.",
    "어제부터 계속 이래요.",
    "벌써 세 번째 문의드려요.",
    "{x} 예매했어요.",
    "앱이랑 pc 둘 다 그래요.",
    "결제 금액은 {p}입니다.",
];
const CLOSERS: &[&str] = &[
    "빠른 답변 부탁드립니다.",
    "확인 부탁드려요 ㅠㅠ",
    "급해요!!",
    "감사합니다.",
    "답변 기다릴게요.",
    "빨리 처리해주세요",
    "ㅠㅠ",
];
const ZONES: &[&str] = &[
    "A구역",
    "B구역",
    "1층 C구역",
    "2층 R석",
    "VIP석",
    "S석",
    "플로어 3구역",
];
/// Hour-of-day weights in Korea time: office hours dominate, a lunch dip, a quiet night.
const HOUR_WEIGHTS: [u32; 24] = [
    3, 2, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 10, 15, 16, 15, 14, 12, 8, 7, 7, 6, 5, 4,
];
const KST_OFFSET_SECS: i64 = 9 * 3600;

/// The show a customer writes about, and the name alone (artist or work) for `{a}`.
fn show(rng: &mut Rng) -> (String, String) {
    let name = |rng: &mut Rng, ko: &str, latin: &str| match rng.below(10) {
        _ if latin.is_empty() => ko.to_owned(),
        0..=5 => ko.to_owned(),
        6..=8 => latin.to_owned(),
        // People type Latin names lower-case in a hurry: `bts`, `iu`.
        _ => latin.to_lowercase(),
    };
    match rng.below(20) {
        0..=11 => {
            let artist = rng.pick(POP);
            let n = name(rng, artist.ko, artist.latin);
            let kind = if rng.chance(150) {
                "팬미팅"
            } else {
                "콘서트"
            };
            (format!("{n} {kind}"), n)
        }
        12..=15 => {
            let work = rng.word(MUSICALS);
            (format!("뮤지컬 {work}"), work.to_owned())
        }
        16..=17 => {
            let work = rng.word(PLAYS);
            (format!("연극 {work}"), work.to_owned())
        }
        _ => {
            let (artist, _) = rng.pick(CLASSICAL);
            let n = name(rng, artist.ko, artist.latin);
            (format!("{n} 공연"), n)
        }
    }
}

/// A creation instant (Unix seconds) in 2025, weekday- and office-hour-biased in Korea
/// time, where the desk and its customers are.
fn created_at(rng: &mut Rng) -> i64 {
    let first = days_from_civil(2025, 1, 1);
    loop {
        let day = first + rng.below(365) as i64;
        let weekend = matches!(weekday(day), 0 | 6);
        if weekend && !rng.chance(450) {
            continue;
        }
        let hour = rng.weighted(&HOUR_WEIGHTS) as i64;
        let secs = day * 86_400 + hour * 3600 + rng.below(3600) as i64 - KST_OFFSET_SECS;
        // 1 January before 09:00 KST is still 2024 in UTC; draw again.
        if secs >= first * 86_400 {
            return secs;
        }
    }
}

/// Ticket `id` of stream `seed`; see [`super::ticket`].
pub(super) fn generate(seed: u64, id: u64) -> Ticket {
    let mut rng = Rng::for_item(seed, DOMAIN, id);
    let c = rng.weighted(&CATEGORY_WEIGHTS);
    let (subjects, mains) = CATEGORY_TEXT[c];

    let (show_name, artist) = show(&mut rng);
    let venue = rng.pick(VENUES).name;
    let date = format!("{}월 {}일", rng.range(1, 12), rng.range(1, 28));
    let order = format!("T{:010}", rng.next_u64() % 10_000_000_000);
    let amount = format!("{},000원", rng.range(20, 300));
    let error = format!("E{}", rng.range(100, 999));
    let days = rng.range(1, 10).to_string();
    let mut slots = Slots::new();
    slots.set(b'a', &artist);
    slots.set(b'd', &date);
    slots.set(b'e', &error);
    slots.set(b'n', &days);
    slots.set(b'o', &order);
    slots.set(b'p', &amount);
    slots.set(b'v', venue);
    slots.set(b'x', &show_name);
    slots.set(b'z', rng.word(ZONES));

    let mut subject = String::with_capacity(48);
    expand(&mut subject, rng.word(subjects), &slots);
    if rng.chance(150) {
        subject = despace(&subject, &mut rng, 1000);
    }
    if rng.chance(40) {
        add_typo(&mut subject, &mut rng);
    }

    // Opener?, problem, context?, second problem?, closer?: 1 to 4 sentences.
    let mut lines: [&str; 5] = [""; 5];
    let main = rng.below(mains.len());
    let second = rng.below(mains.len());
    lines[0] = if rng.chance(350) {
        rng.word(OPENERS)
    } else {
        ""
    };
    lines[1] = mains[main];
    lines[2] = if rng.chance(450) {
        rng.word(CONTEXT)
    } else {
        ""
    };
    lines[3] = if second != main && rng.chance(300) {
        mains[second]
    } else {
        ""
    };
    lines[4] = if rng.chance(400) {
        rng.word(CLOSERS)
    } else {
        ""
    };
    let mut body = String::with_capacity(160);
    for (count, line) in lines.iter().filter(|l| !l.is_empty()).take(4).enumerate() {
        if count > 0 {
            body.push(' ');
        }
        expand(&mut body, line, &slots);
    }
    match rng.below(20) {
        0 => body = despace(&body, &mut rng, 1000),
        1..=5 => body = despace(&body, &mut rng, 300),
        _ => {}
    }
    if rng.chance(120) {
        add_typo(&mut body, &mut rng);
    }

    let s = rng.weighted(&STATUS_WEIGHTS);
    let created = created_at(&mut rng);
    let elapsed = match STATUSES[s] {
        "open" if rng.chance(400) => 0,
        "open" => rng.range(60, 2 * 86_400),
        "pending" => rng.range(600, 5 * 86_400),
        "resolved" => rng.range(1800, 7 * 86_400),
        _ => rng.range(86_400, 30 * 86_400),
    };
    // Only fresh tickets wait in the unassigned queue.
    let assignee = if STATUSES[s] == "open" && rng.chance(100) {
        ""
    } else {
        rng.pick(&ASSIGNEES)
    };

    Ticket {
        id,
        subject,
        body,
        category: CATEGORIES[c].to_owned(),
        status: STATUSES[s].to_owned(),
        priority: rng.weighted(&PRIORITY_WEIGHTS) as u8 + 1,
        assignee: assignee.to_owned(),
        created_at: format_rfc3339(created),
        updated_at: format_rfc3339(created + i64::from(elapsed)),
    }
}
