//! Support and signposting.
use super::*;

// ---------- Support and signposting ----------

pub const SUPPORT_STATUSES: [(&str, &str); 4] = [
    ("suggested", "Not tried yet"),
    ("tried", "Tried it"),
    ("not_helping", "Didn't help"),
    ("helping", "Helping"),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupportForm {
    pub name: String,
    pub why: String,
    pub contact: String,
    pub goal: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    pub name: String,
    pub why: String,
    pub contact: String,
    pub goal: Option<uuid::Uuid>,
}

impl Support {
    pub fn parse(raw: &SupportForm) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let name = c.text(
            "name",
            &raw.name,
            "the name of the service or group",
            true,
            SHORT_TEXT,
        );
        let why = c.text("why", &raw.why, "why it might help", false, LONG_TEXT);
        let contact = c.text(
            "contact",
            &raw.contact,
            "how to contact them",
            false,
            SHORT_TEXT,
        );
        let goal = if raw.goal.trim().is_empty() {
            None
        } else {
            match uuid::Uuid::parse_str(raw.goal.trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    c.fail("goal", "Choose a goal from the list");
                    None
                }
            }
        };
        c.finish(Self {
            name,
            why,
            contact,
            goal,
        })
    }
}

impl Versioned for Support {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Service or group", self.name.clone()),
            ("Why", self.why.clone()),
            ("How to contact", self.contact.clone()),
        ]
    }
}
