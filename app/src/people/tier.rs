//! The five tiers (层次) of trainees. Their ids are used in content files and imports.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Leader,
    Auditor,
    Consultant,
    Official,
    Expert,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Leader,
        Tier::Auditor,
        Tier::Consultant,
        Tier::Official,
        Tier::Expert,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Tier::Leader => "leader",
            Tier::Auditor => "auditor",
            Tier::Consultant => "consultant",
            Tier::Official => "official",
            Tier::Expert => "expert",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Tier::Leader => "企业厂长（经理）",
            Tier::Auditor => "企业内审员",
            Tier::Consultant => "审核咨询服务机构",
            Tier::Official => "区县工经委、环保局",
            Tier::Expert => "清洁生产评估专家",
        }
    }

    /// The Chinese name of a tier code, or the code itself when it names no tier.
    pub fn name_zh_of(code: &str) -> String {
        Tier::parse(code)
            .map(|t| t.name_zh().to_string())
            .unwrap_or_else(|| code.to_string())
    }

    /// Accepts the id, or the Chinese name as it appears in a spreadsheet.
    pub fn parse(input: &str) -> Option<Tier> {
        let s = input.trim();
        Tier::ALL.into_iter().find(|t| {
            t.code().eq_ignore_ascii_case(s)
                || t.name_zh() == s
                || match t {
                    Tier::Leader => matches!(s, "厂长" | "经理" | "企业厂长" | "企业领导"),
                    Tier::Auditor => matches!(s, "内审员"),
                    Tier::Consultant => matches!(s, "咨询机构" | "审核咨询机构"),
                    Tier::Official => matches!(s, "区县官员" | "区县工经委" | "区县环保局"),
                    Tier::Expert => matches!(s, "评估专家"),
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Tier;

    #[test]
    fn tiers_parse_from_code_and_chinese_name() {
        assert_eq!(Tier::parse("auditor"), Some(Tier::Auditor));
        assert_eq!(Tier::parse(" 企业内审员 "), Some(Tier::Auditor));
        assert_eq!(Tier::parse("内审员"), Some(Tier::Auditor));
        assert_eq!(Tier::parse("LEADER"), Some(Tier::Leader));
        assert_eq!(Tier::parse("学生"), None);
    }
}
