//! The catalog's rules: which courses a filter keeps, and how they are grouped for display
//! (a group per tier with that tier's curricula, the reader's own tier first, then the
//! technical lectures that every tier attends).
use super::CourseCard;
use crate::people::tier::Tier;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// A tier code.
    pub tier: Option<String>,
    /// `curriculum` or `lecture`.
    pub kind: Option<String>,
    /// Words to find in the Chinese or English title.
    pub q: String,
}

impl Filter {
    pub fn keeps(&self, course: &CourseCard) -> bool {
        if let Some(tier) = self.tier.as_deref().filter(|t| !t.is_empty()) {
            if !course.tiers.iter().any(|t| t == tier) {
                return false;
            }
        }
        if let Some(kind) = self.kind.as_deref().filter(|k| !k.is_empty()) {
            if course.kind != kind {
                return false;
            }
        }
        let q = self.q.trim().to_lowercase();
        q.is_empty()
            || course.title_zh.to_lowercase().contains(&q)
            || course.title_en.to_lowercase().contains(&q)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupKey {
    /// The curricula of one tier (a tier code).
    Tier(String),
    /// The technical lectures.
    Lectures,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub key: GroupKey,
    pub courses: Vec<CourseCard>,
}

/// Groups the courses the filter keeps. A curriculum of two tiers shows under each; empty
/// groups are left out. `my_tier` comes first.
pub fn group(courses: &[CourseCard], filter: &Filter, my_tier: Option<&str>) -> Vec<Group> {
    let kept: Vec<&CourseCard> = courses.iter().filter(|c| filter.keeps(c)).collect();
    let mut tiers: Vec<&str> = Tier::ALL.iter().map(|t| t.code()).collect();
    if let Some(mine) = my_tier {
        if let Some(pos) = tiers.iter().position(|t| *t == mine) {
            let t = tiers.remove(pos);
            tiers.insert(0, t);
        }
    }
    let mut groups: Vec<Group> = tiers
        .into_iter()
        .filter(|t| {
            filter
                .tier
                .as_deref()
                .is_none_or(|f| f.is_empty() || f == *t)
        })
        .map(|tier| Group {
            key: GroupKey::Tier(tier.to_string()),
            courses: kept
                .iter()
                .filter(|c| c.kind != "lecture" && c.tiers.iter().any(|x| x == tier))
                .map(|c| (*c).clone())
                .collect(),
        })
        .collect();
    groups.push(Group {
        key: GroupKey::Lectures,
        courses: kept
            .iter()
            .filter(|c| c.kind == "lecture")
            .map(|c| (*c).clone())
            .collect(),
    });
    groups.retain(|g| !g.courses.is_empty());
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(slug: &str, kind: &str, tiers: &[&str], title: &str) -> CourseCard {
        CourseCard {
            slug: slug.into(),
            kind: kind.into(),
            tiers: tiers.iter().map(|t| t.to_string()).collect(),
            title_zh: title.into(),
            title_en: format!("{slug} course"),
            summary_zh: String::new(),
            summary_en: String::new(),
            hours: 1.0,
            minutes: 60,
            progress: None,
        }
    }

    fn courses() -> Vec<CourseCard> {
        vec![
            card("leader-basics", "curriculum", &["leader"], "企业领导"),
            card("auditor-method", "curriculum", &["auditor"], "审核方法"),
            card("acceptance", "curriculum", &["official", "expert"], "验收"),
            card(
                "boilers",
                "lecture",
                &["leader", "auditor", "consultant", "official", "expert"],
                "工业锅炉",
            ),
        ]
    }

    fn keys(groups: &[Group]) -> Vec<(String, Vec<String>)> {
        groups
            .iter()
            .map(|g| {
                let key = match &g.key {
                    GroupKey::Tier(t) => t.clone(),
                    GroupKey::Lectures => "lectures".into(),
                };
                (key, g.courses.iter().map(|c| c.slug.clone()).collect())
            })
            .collect()
    }

    #[test]
    fn the_readers_tier_comes_first_and_lectures_last() {
        let groups = group(&courses(), &Filter::default(), Some("auditor"));
        let k = keys(&groups);
        assert_eq!(k[0], ("auditor".into(), vec!["auditor-method".into()]));
        assert_eq!(k[1], ("leader".into(), vec!["leader-basics".into()]));
        assert_eq!(
            k.last().unwrap(),
            &("lectures".into(), vec!["boilers".into()])
        );
        // Consultants have no curriculum here: no empty group.
        assert!(!k.iter().any(|(t, _)| t == "consultant"));
    }

    #[test]
    fn a_curriculum_of_two_tiers_shows_under_each() {
        let k = keys(&group(&courses(), &Filter::default(), None));
        assert!(k.contains(&("official".into(), vec!["acceptance".into()])));
        assert!(k.contains(&("expert".into(), vec!["acceptance".into()])));
    }

    #[test]
    fn filters_by_tier_kind_and_title() {
        let by_tier = Filter {
            tier: Some("leader".into()),
            ..Default::default()
        };
        assert_eq!(
            keys(&group(&courses(), &by_tier, Some("auditor"))),
            vec![
                ("leader".into(), vec!["leader-basics".into()]),
                ("lectures".into(), vec!["boilers".into()])
            ]
        );
        let lectures = Filter {
            kind: Some("lecture".into()),
            ..Default::default()
        };
        assert_eq!(
            keys(&group(&courses(), &lectures, None)),
            vec![("lectures".into(), vec!["boilers".into()])]
        );
        let search = Filter {
            q: " 锅炉 ".into(),
            ..Default::default()
        };
        assert_eq!(
            keys(&group(&courses(), &search, None)),
            vec![("lectures".into(), vec!["boilers".into()])]
        );
        let english = Filter {
            q: "AUDITOR-METHOD".into(),
            ..Default::default()
        };
        assert_eq!(group(&courses(), &english, None).len(), 1);
        let nothing = Filter {
            q: "没有这门课".into(),
            ..Default::default()
        };
        assert!(group(&courses(), &nothing, None).is_empty());
    }
}
