//! Why an enterprise is in the mandatory audit programme (纳入原因): it burns 5,000 t of coal a
//! year or more, it emits volatile organic compounds, or it handles heavy metals.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InclusionReason {
    Coal,
    Vocs,
    HeavyMetals,
}

impl InclusionReason {
    pub const ALL: [InclusionReason; 3] = [
        InclusionReason::Coal,
        InclusionReason::Vocs,
        InclusionReason::HeavyMetals,
    ];

    /// The value stored in `enterprise.reason`.
    pub fn code(self) -> &'static str {
        match self {
            InclusionReason::Coal => "coal",
            InclusionReason::Vocs => "vocs",
            InclusionReason::HeavyMetals => "heavy_metals",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            InclusionReason::Coal => "年耗煤5000吨及以上",
            InclusionReason::Vocs => "VOCs排放",
            InclusionReason::HeavyMetals => "涉重金属",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            InclusionReason::Coal => "Coal 5,000 t/yr or more",
            InclusionReason::Vocs => "VOCs",
            InclusionReason::HeavyMetals => "Heavy metals",
        }
    }

    /// Accepts the code, the Chinese name, and the short forms people write in a spreadsheet
    /// ("燃煤", "VOCs", "挥发性有机物", "涉重", "重金属").
    pub fn parse(input: &str) -> Option<InclusionReason> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        if s.is_empty() {
            return None;
        }
        if let Some(r) = InclusionReason::ALL
            .into_iter()
            .find(|r| r.code() == s || r.name_zh().to_lowercase() == s)
        {
            return Some(r);
        }
        if s.contains('煤') {
            Some(InclusionReason::Coal)
        } else if s.contains("voc") || s.contains("挥发性有机") {
            Some(InclusionReason::Vocs)
        } else if s.contains("重金属") || s == "涉重" || s == "heavymetals" {
            Some(InclusionReason::HeavyMetals)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InclusionReason::{self, *};

    #[test]
    fn reasons_parse_from_codes_and_the_words_people_use() {
        assert_eq!(InclusionReason::parse("coal"), Some(Coal));
        assert_eq!(InclusionReason::parse("年耗煤5000吨及以上"), Some(Coal));
        assert_eq!(InclusionReason::parse("燃煤"), Some(Coal));
        assert_eq!(InclusionReason::parse(" VOCs "), Some(Vocs));
        assert_eq!(InclusionReason::parse("挥发性有机物"), Some(Vocs));
        assert_eq!(InclusionReason::parse("涉重"), Some(HeavyMetals));
        assert_eq!(InclusionReason::parse("Heavy metals"), Some(HeavyMetals));
        assert_eq!(InclusionReason::parse("heavy_metals"), Some(HeavyMetals));
        assert_eq!(InclusionReason::parse("噪声"), None);
        assert_eq!(InclusionReason::parse(""), None);
    }
}
