//! How the company's identity becomes an Earshot person: groups (from an
//! OpenID Connect claim or an SSO proxy's header) map to a role and a team
//! by configuration. People in no mapped group are contributors without a team.

use super::people::Role;

/// Which groups make admins and platform-team members, and which group
/// puts a person in which team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMapping {
    pub admin_groups: Vec<String>,
    pub team_groups: Vec<String>,
    /// (group, team slug), first match wins.
    pub teams: Vec<(String, String)>,
}

impl GroupMapping {
    /// Reads the settings: comma-separated group lists, and `group=team`
    /// pairs for teams.
    pub fn parse(admin: &str, team: &str, teams: &str) -> Result<GroupMapping, String> {
        let list = |raw: &str| -> Vec<String> {
            raw.split(',')
                .map(str::trim)
                .filter(|group| !group.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut pairs = Vec::new();
        for pair in list(teams) {
            let Some((group, slug)) = pair.split_once('=') else {
                return Err(format!(
                    "{pair:?} is not group=team (for example platform-sre=platform)"
                ));
            };
            let (group, slug) = (group.trim(), slug.trim());
            if group.is_empty() || slug.is_empty() {
                return Err(format!("{pair:?} needs both a group and a team"));
            }
            pairs.push((group.to_owned(), slug.to_owned()));
        }
        Ok(GroupMapping {
            admin_groups: list(admin),
            team_groups: list(team),
            teams: pairs,
        })
    }

    /// The role the groups give: admin over team over contributor.
    pub fn role(&self, groups: &[String]) -> Role {
        let member = |wanted: &[String]| groups.iter().any(|group| wanted.contains(group));
        if member(&self.admin_groups) {
            Role::Admin
        } else if member(&self.team_groups) {
            Role::Team
        } else {
            Role::Contributor
        }
    }

    /// The team slug of the first mapping that matches one of the groups.
    pub fn team(&self, groups: &[String]) -> Option<&str> {
        self.teams
            .iter()
            .find(|(group, _)| groups.contains(group))
            .map(|(_, slug)| slug.as_str())
    }
}

/// Who the company's identity says is signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// `issuer subject` for OpenID Connect; `None` through a proxy, which
    /// identifies people by email.
    pub subject: Option<String>,
    pub email: super::Email,
    pub name: String,
    pub groups: Vec<String>,
}

/// Splits a groups header or claim string ("a,b" or "a b").
pub fn split_groups(raw: &str) -> Vec<String> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|group| !group.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_map_to_the_highest_role_and_the_first_team() {
        let mapping = GroupMapping::parse(
            "earshot-admins",
            "sre, platform-eng",
            "sre=platform, payments-devs=payments",
        )
        .unwrap();
        let groups = |list: &[&str]| list.iter().map(|g| g.to_string()).collect::<Vec<_>>();
        assert_eq!(mapping.role(&groups(&["sre"])), Role::Team);
        assert_eq!(
            mapping.role(&groups(&["sre", "earshot-admins"])),
            Role::Admin
        );
        assert_eq!(mapping.role(&groups(&["everyone"])), Role::Contributor);
        assert_eq!(
            mapping.team(&groups(&["payments-devs", "sre"])),
            Some("platform")
        );
        assert_eq!(mapping.team(&groups(&["everyone"])), None);
        assert!(GroupMapping::parse("", "", "no-equals").is_err());
    }
}
