//! iCalendar (RFC 5545) for sessions: a download per session, and subscribable feeds per trainee
//! and per room whose URLs carry a token signed with the platform secret (no sign-in needed by a
//! calendar app, and a URL for one person or room opens nothing else).
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use icalendar::{Calendar, Component, Event, EventLike};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::Sha256;

use super::entity::{enrolment, programme, room, session};
use crate::error::{AppError, AppResult};

type HmacSha256 = Hmac<Sha256>;

/// Whose feed: a person's sessions or a room's bookings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    Person,
    Room,
}

impl Feed {
    fn code(self) -> &'static str {
        match self {
            Feed::Person => "person",
            Feed::Room => "room",
        }
    }
}

fn mac(secret: &[u8], feed: Feed, id: i64) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(format!("ical:{}:{id}", feed.code()).as_bytes());
    mac
}

/// The secret part of a feed URL.
pub fn feed_token(secret: &[u8], feed: Feed, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(&mac(secret, feed, id).finalize().into_bytes()[..16])
}

/// Whether `token` opens this feed (compared in constant time).
pub fn feed_token_valid(secret: &[u8], feed: Feed, id: i64, token: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(token.trim()) {
        Ok(tag) if tag.len() == 16 => mac(secret, feed, id).verify_truncated_left(&tag).is_ok(),
        _ => false,
    }
}

/// The feed's path under the site: `/calendar/{people|rooms}/{id}/{token}/schedule.ics`.
pub fn feed_path(secret: &[u8], feed: Feed, id: i64) -> String {
    let kind = match feed {
        Feed::Person => "people",
        Feed::Room => "rooms",
    };
    format!(
        "/calendar/{kind}/{id}/{}/schedule.ics",
        feed_token(secret, feed, id)
    )
}

fn event(s: &session::Model, p: &programme::Model, room: &str, base_url: &str) -> Event {
    let lecturers: Vec<String> = super::service::list(&s.lecturers);
    let mut description = format!("{}\n{}", p.title_zh, s.title_en);
    if !lecturers.is_empty() {
        description.push_str(&format!("\n主讲：{}", lecturers.join("、")));
    }
    Event::new()
        .uid(&format!("session-{}-{}@academy", p.slug, s.number))
        .summary(&s.title_zh)
        .description(&description)
        .location(&format!("{} {}", p.venue_zh, room))
        .starts(s.starts_at)
        .ends(s.ends_at)
        .url(&format!(
            "{}/sessions/{}",
            base_url.trim_end_matches('/'),
            s.id
        ))
        .timestamp(s.starts_at.min(chrono::Utc::now()))
        .done()
}

async fn render(
    db: &impl ConnectionTrait,
    name: &str,
    sessions: Vec<session::Model>,
    base_url: &str,
) -> AppResult<String> {
    let programmes: std::collections::HashMap<i64, programme::Model> = programme::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let rooms: std::collections::HashMap<i64, String> = room::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut cal = Calendar::new();
    cal.name(name);
    for s in &sessions {
        let Some(p) = programmes.get(&s.programme_id) else {
            continue;
        };
        let room = rooms.get(&s.room_id).map(String::as_str).unwrap_or("");
        cal.push(event(s, p, room, base_url));
    }
    Ok(cal.done().to_string())
}

/// One session, for "add to my calendar".
pub async fn session_ics(db: &impl ConnectionTrait, id: i64, base_url: &str) -> AppResult<String> {
    let s = session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = s.title_zh.clone();
    render(db, &name, vec![s], base_url).await
}

/// Every session a person holds a seat or a waitlist place in.
pub async fn person_ics(
    db: &impl ConnectionTrait,
    person: i64,
    base_url: &str,
) -> AppResult<String> {
    let ids: Vec<i64> = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(person))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.session_id)
        .collect();
    let sessions = session::Entity::find()
        .filter(session::Column::Id.is_in(ids))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    render(db, "我的培训日程", sessions, base_url).await
}

/// Every session booked in a room.
pub async fn room_ics(
    db: &impl ConnectionTrait,
    room_id: i64,
    base_url: &str,
) -> AppResult<String> {
    let r = room::Entity::find_by_id(room_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let sessions = session::Entity::find()
        .filter(session::Column::RoomId.eq(room_id))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    render(db, &format!("{} 课表", r.name), sessions, base_url).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_tokens_open_only_their_own_feed() {
        let secret = b"secret";
        let t = feed_token(secret, Feed::Person, 7);
        assert!(feed_token_valid(secret, Feed::Person, 7, &t));
        assert!(!feed_token_valid(secret, Feed::Person, 8, &t));
        assert!(!feed_token_valid(secret, Feed::Room, 7, &t));
        assert!(!feed_token_valid(b"other", Feed::Person, 7, &t));
        assert!(!feed_token_valid(secret, Feed::Person, 7, "not-a-token"));
        assert!(feed_path(secret, Feed::Room, 3).starts_with("/calendar/rooms/3/"));
    }
}
