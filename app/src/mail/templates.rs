//! The messages, in Chinese and English (the recipient's language): a subject, a plain-text body
//! and an HTML body that says the same.

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a message about a session says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionFacts {
    pub name: String,
    pub number: i32,
    pub title: String,
    /// Local date and time, e.g. `2014-07-14 09:00–12:00`.
    pub when: String,
    pub room: String,
    pub venue: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Template {
    Certificate {
        name: String,
        programme: String,
        serial: String,
        verify_url: String,
        download_url: String,
    },
    /// Moved from the waitlist to a seat.
    Promoted(SessionFacts),
    /// A place was cancelled.
    Cancelled(SessionFacts),
    /// A scheduler moved the place to another session: `from` names the old one, `to` is the new
    /// one, where the person has a seat or (when `waitlisted`) a waitlist place.
    Moved {
        from: String,
        to: SessionFacts,
        waitlisted: Option<u32>,
    },
    /// The day before the session.
    Reminder(SessionFacts),
    LoginLink {
        name: String,
        link: String,
    },
}

impl Template {
    pub fn kind(&self) -> &'static str {
        match self {
            Template::Certificate { .. } => "certificate",
            Template::Promoted(_) => "promoted",
            Template::Cancelled(_) => "cancelled",
            Template::Moved { .. } => "moved",
            Template::Reminder(_) => "reminder",
            Template::LoginLink { .. } => "login_link",
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A paragraph of text, or a labelled line, or a button-like link.
enum Part {
    P(String),
    Field(&'static str, String),
    Link(&'static str, String),
}

fn compose(subject: String, greeting: String, parts: Vec<Part>, footer: &str) -> Letter {
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.6;color:#1f2933;max-width:40em\"><p>{}</p>",
        esc(&greeting)
    );
    let mut in_table = false;
    for part in parts {
        match part {
            Part::P(p) => {
                if in_table {
                    html.push_str("</table>");
                    in_table = false;
                }
                text.push_str(&p);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", esc(&p)));
            }
            Part::Field(label, value) => {
                if !in_table {
                    html.push_str("<table style=\"border-collapse:collapse\">");
                    in_table = true;
                }
                text.push_str(&format!("{label}: {value}\n"));
                html.push_str(&format!(
                    "<tr><th style=\"text-align:left;padding:2px 12px 2px 0\">{}</th><td>{}</td></tr>",
                    esc(label),
                    esc(&value)
                ));
            }
            Part::Link(label, url) => {
                if in_table {
                    html.push_str("</table>");
                    in_table = false;
                }
                text.push_str(&format!("\n{label}: {url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{}\" style=\"display:inline-block;padding:8px 16px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px\">{}</a></p>",
                    esc(&url),
                    esc(label)
                ));
            }
        }
    }
    if in_table {
        html.push_str("</table>");
    }
    text.push_str(&format!("\n--\n{footer}\n"));
    html.push_str(&format!(
        "<hr><p style=\"color:#6b7280;font-size:90%\">{}</p></body></html>",
        esc(footer)
    ));
    Letter {
        subject,
        text,
        html,
    }
}

fn session_parts(f: &SessionFacts, en: bool) -> Vec<Part> {
    let (time, room, venue) = if en {
        ("Time", "Room", "Venue")
    } else {
        ("时间", "教室", "地点")
    };
    vec![
        Part::Field(time, f.when.clone()),
        Part::Field(room, f.room.clone()),
        Part::Field(venue, f.venue.clone()),
    ]
}

fn session_label(f: &SessionFacts, en: bool) -> String {
    if en {
        format!("Session {}: {}", f.number, f.title)
    } else {
        format!("第{}期 {}", f.number, f.title)
    }
}

/// Renders a message in Chinese, or in English when `en`.
pub fn render(t: &Template, en: bool) -> Letter {
    let footer = if en {
        "This message was sent by the training platform. Please do not reply."
    } else {
        "本邮件由培训平台自动发送，请勿直接回复。"
    };
    let hello = |name: &str| {
        if en {
            format!("Dear {name},")
        } else {
            format!("{name}，您好：")
        }
    };
    match t {
        Template::Certificate {
            name,
            programme,
            serial,
            verify_url,
            download_url,
        } => {
            let (subject, body, serial_label, open, check) = if en {
                (
                    format!("Your certificate: {programme}"),
                    format!("Your attendance certificate for {programme} is attached as a PDF."),
                    "Serial",
                    "Download it again",
                    "Verify it",
                )
            } else {
                (
                    format!("结业证书：{programme}"),
                    format!("您参加“{programme}”的培训证书已作为 PDF 附件随本邮件发送。"),
                    "证书编号",
                    "再次下载",
                    "在线核验",
                )
            };
            compose(
                subject,
                hello(name),
                vec![
                    Part::P(body),
                    Part::Field(serial_label, serial.clone()),
                    Part::Link(open, download_url.clone()),
                    Part::Link(check, verify_url.clone()),
                ],
                footer,
            )
        }
        Template::Promoted(f) => {
            let label = session_label(f, en);
            let (subject, body) = if en {
                (
                    format!("You have a seat: {label}"),
                    format!("A seat became free and is now yours in {label}. The calendar entry is attached."),
                )
            } else {
                (
                    format!("候补转正：{label}"),
                    format!(
                        "有学员取消报名，您已从候补名单转为正式学员：{label}。日历文件见附件。"
                    ),
                )
            };
            let mut parts = vec![Part::P(body)];
            parts.extend(session_parts(f, en));
            parts.push(Part::Link(
                if en { "Session page" } else { "查看本期" },
                f.url.clone(),
            ));
            compose(subject, hello(&f.name), parts, footer)
        }
        Template::Cancelled(f) => {
            let label = session_label(f, en);
            let (subject, body) = if en {
                (
                    format!("Place cancelled: {label}"),
                    format!("Your place in {label} has been cancelled. If this is a mistake, please contact the training school."),
                )
            } else {
                (
                    format!("报名已取消：{label}"),
                    format!("您在{label}的报名已取消。如有疑问，请联系培训学校。"),
                )
            };
            let mut parts = vec![Part::P(body)];
            parts.extend(session_parts(f, en));
            compose(subject, hello(&f.name), parts, footer)
        }
        Template::Moved {
            from,
            to,
            waitlisted,
        } => {
            let label = session_label(to, en);
            let (subject, moved, place) = if en {
                (
                    format!("Your place has moved: {label}"),
                    format!("The training school has moved your place from {from} to {label}."),
                    match waitlisted {
                        Some(n) => format!("The session is full: you are number {n} on its waitlist, and will be told when a seat is yours."),
                        None => "You have a seat. The calendar entry is attached.".to_string(),
                    },
                )
            } else {
                (
                    format!("报名调整：{label}"),
                    format!("培训学校已将您的报名从{from}调整到{label}。"),
                    match waitlisted {
                        Some(n) => format!("本期已满，您在候补名单第 {n} 位；有空位时会再通知您。"),
                        None => "您已获得座位，日历文件见附件。".to_string(),
                    },
                )
            };
            let mut parts = vec![Part::P(moved), Part::P(place)];
            parts.extend(session_parts(to, en));
            parts.push(Part::Link(
                if en { "Session page" } else { "查看本期" },
                to.url.clone(),
            ));
            compose(subject, hello(&to.name), parts, footer)
        }
        Template::Reminder(f) => {
            let label = session_label(f, en);
            let (subject, body, bring) = if en {
                (
                    format!("Tomorrow: {label}"),
                    format!("A reminder that {label} takes place tomorrow. The calendar entry is attached."),
                    "Check in at the venue by scanning the QR code on the screen with your phone.".to_string(),
                )
            } else {
                (
                    format!("明日培训提醒：{label}"),
                    format!("提醒您，{label}将于明天举行。日历文件见附件。"),
                    "到场后请用手机扫描屏幕上的二维码签到。".to_string(),
                )
            };
            let mut parts = vec![Part::P(body)];
            parts.extend(session_parts(f, en));
            parts.push(Part::P(bring));
            parts.push(Part::Link(
                if en { "Session page" } else { "查看本期" },
                f.url.clone(),
            ));
            compose(subject, hello(&f.name), parts, footer)
        }
        Template::LoginLink { name, link } => {
            let (subject, body, open) = if en {
                (
                    "Your training platform account".to_string(),
                    "An account has been made for you. Open the link below within 7 days to set your password.".to_string(),
                    "Set my password",
                )
            } else {
                (
                    "培训平台账号开通".to_string(),
                    "已为您开通培训平台账号。请在 7 天内打开下面的链接设置密码。".to_string(),
                    "设置密码",
                )
            };
            compose(
                subject,
                hello(name),
                vec![Part::P(body), Part::Link(open, link.clone())],
                footer,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> SessionFacts {
        SessionFacts {
            name: "王<b>明".into(),
            number: 3,
            title: "清洁生产审核".into(),
            when: "2014-07-15 09:00–12:00".into(),
            room: "201".into(),
            venue: "天津市节能培训学校".into(),
            url: "http://x/sessions/3".into(),
        }
    }

    #[test]
    fn every_message_has_both_bodies_in_both_languages() {
        let all = [
            Template::Certificate {
                name: "王明".into(),
                programme: "清洁生产培训".into(),
                serial: "CPT2014-X".into(),
                verify_url: "http://x/verify/CPT2014-X".into(),
                download_url: "http://x/my/certificates".into(),
            },
            Template::Promoted(facts()),
            Template::Cancelled(facts()),
            Template::Moved {
                from: "第5期（2014-07-17 09:00–12:00）".into(),
                to: facts(),
                waitlisted: None,
            },
            Template::Moved {
                from: "第5期（2014-07-17 09:00–12:00）".into(),
                to: facts(),
                waitlisted: Some(2),
            },
            Template::Reminder(facts()),
            Template::LoginLink {
                name: "王明".into(),
                link: "http://x/welcome/t".into(),
            },
        ];
        for t in &all {
            let zh = render(t, false);
            let en = render(t, true);
            assert!(
                !zh.subject.is_empty() && !en.subject.is_empty(),
                "{}",
                t.kind()
            );
            assert_ne!(zh.subject, en.subject, "{}", t.kind());
            assert!(zh.html.starts_with("<!doctype html>"), "{}", t.kind());
            assert!(zh.text.contains("请勿直接回复"), "{}", t.kind());
            assert!(en.text.contains("do not reply"), "{}", t.kind());
        }
    }

    #[test]
    fn a_move_names_both_sessions_and_a_waitlist_place() {
        let seated = render(
            &Template::Moved {
                from: "第5期（2014-07-17 09:00–12:00）".into(),
                to: facts(),
                waitlisted: None,
            },
            false,
        );
        assert_eq!(seated.subject, "报名调整：第3期 清洁生产审核");
        assert!(seated
            .text
            .contains("从第5期（2014-07-17 09:00–12:00）调整到第3期"));
        assert!(seated.text.contains("已获得座位"));
        let waiting = render(
            &Template::Moved {
                from: "session 5".into(),
                to: facts(),
                waitlisted: Some(2),
            },
            true,
        );
        assert!(
            waiting.text.contains("number 2 on its waitlist"),
            "{}",
            waiting.text
        );
    }

    #[test]
    fn reminders_name_the_time_room_and_venue() {
        let zh = render(&Template::Reminder(facts()), false);
        assert_eq!(zh.subject, "明日培训提醒：第3期 清洁生产审核");
        for s in ["2014-07-15 09:00–12:00", "201", "天津市节能培训学校"] {
            assert!(zh.text.contains(s), "{s}");
            assert!(zh.html.contains(s), "{s}");
        }
    }

    #[test]
    fn names_are_escaped_in_html_only() {
        let zh = render(&Template::Reminder(facts()), false);
        assert!(zh.text.starts_with("王<b>明，您好："));
        assert!(zh.html.contains("王&lt;b&gt;明"));
        assert!(!zh.html.contains("<b>"));
    }
}
