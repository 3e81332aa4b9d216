//! Builders of INTERACTION_CREATE payloads: slash commands, autocomplete and button presses.

use serde_json::{json, Map, Value};

use super::payloads::{
    self, fresh_id, fresh_token, member, member_roles, user, ADMINISTRATOR, APPLICATION_ID, ATHLETE_ID, CHANNEL_ID,
    COACH_ID, EVERYONE_PERMISSIONS, GUILD_ID, MANAGE_GUILD, OWNER_ID,
};

/// Who triggers an interaction, and where; carried in the payload's `member` as Discord sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoker {
    /// The member's user id.
    pub user_id: u64,
    /// The member's role ids (without `@everyone`).
    pub roles: Vec<u64>,
    /// The member's computed permissions in the channel (`member.permissions`).
    pub permissions: u64,
    /// The channel the interaction comes from.
    pub channel_id: u64,
}

impl Invoker {
    /// Any member: `@everyone`'s permissions and the roles the world gives `user_id`.
    pub fn new(user_id: u64) -> Self {
        Self { user_id, roles: member_roles(user_id), permissions: EVERYONE_PERMISSIONS, channel_id: CHANNEL_ID }
    }

    /// [`ATHLETE_ID`]: the Athletes role, no special permissions.
    pub fn athlete() -> Self {
        Self::new(ATHLETE_ID)
    }

    /// [`COACH_ID`]: the Coach role, no special permissions.
    pub fn coach() -> Self {
        Self::new(COACH_ID)
    }

    /// [`OWNER_ID`], with Manage Server (and Administrator) as the owner has.
    pub fn admin() -> Self {
        Self { permissions: EVERYONE_PERMISSIONS | MANAGE_GUILD | ADMINISTRATOR, ..Self::new(OWNER_ID) }
    }

    /// The same member in another channel.
    pub fn in_channel(self, channel_id: u64) -> Self {
        Self { channel_id, ..self }
    }

    /// The same member with these permissions.
    pub fn with_permissions(self, permissions: u64) -> Self {
        Self { permissions, ..self }
    }

    /// The same member with these roles.
    pub fn with_roles(self, roles: Vec<u64>) -> Self {
        Self { roles, ..self }
    }

    fn member(&self) -> Value {
        let mut m = member(self.user_id, &self.roles);
        m["permissions"] = json!(self.permissions.to_string());
        m
    }
}

/// Fields shared by every interaction of `kind` (2 command, 3 component, 4 autocomplete).
fn envelope(kind: u64, invoker: &Invoker, data: Value) -> Value {
    let mut channel = payloads::channel(invoker.channel_id);
    channel["permissions"] = json!(invoker.permissions.to_string());
    json!({
        "id": fresh_id().to_string(), "application_id": APPLICATION_ID.to_string(), "type": kind, "data": data,
        "guild_id": GUILD_ID.to_string(), "guild": {"id": GUILD_ID.to_string(), "locale": "en-US", "features": []},
        "channel_id": invoker.channel_id.to_string(), "channel": channel, "member": invoker.member(),
        "token": fresh_token(), "version": 1, "app_permissions": EVERYONE_PERMISSIONS.to_string(), "locale": "en-US",
        "guild_locale": "en-US", "entitlements": [], "authorizing_integration_owners": {"0": GUILD_ID.to_string()},
        "context": 0, "attachment_size_limit": 10_485_760,
    })
}

/// A slash command (type 2) or autocomplete (type 4) interaction under construction.
#[derive(Clone, Debug)]
pub struct CommandBuilder {
    kind: u64,
    name: String,
    group: Option<String>,
    sub: Option<String>,
    options: Vec<Value>,
    resolved: Map<String, Value>,
    invoker: Invoker,
}

/// Starts a slash command `/name` invoked by [`Invoker::athlete`] in [`CHANNEL_ID`].
pub fn slash(name: &str) -> CommandBuilder {
    CommandBuilder {
        kind: 2,
        name: name.into(),
        group: None,
        sub: None,
        options: vec![],
        resolved: Map::new(),
        invoker: Invoker::athlete(),
    }
}

/// Starts an autocomplete interaction for `/name`; add the option being typed with
/// [`CommandBuilder::focused`].
pub fn autocomplete(name: &str) -> CommandBuilder {
    CommandBuilder { kind: 4, ..slash(name) }
}

impl CommandBuilder {
    /// The subcommand (`/session start` → `.subcommand("start")`).
    pub fn subcommand(mut self, name: &str) -> Self {
        self.sub = Some(name.into());
        self
    }

    /// The subcommand group, for commands nested two deep.
    pub fn group(mut self, name: &str) -> Self {
        self.group = Some(name.into());
        self
    }

    /// Who invokes it.
    pub fn by(mut self, invoker: Invoker) -> Self {
        self.invoker = invoker;
        self
    }

    fn opt(mut self, name: &str, kind: u64, value: Value) -> Self {
        self.options.push(json!({"name": name, "type": kind, "value": value}));
        self
    }

    /// A string option.
    pub fn string(self, name: &str, value: &str) -> Self {
        self.opt(name, 3, json!(value))
    }

    /// An integer option.
    pub fn integer(self, name: &str, value: i64) -> Self {
        self.opt(name, 4, json!(value))
    }

    /// A boolean option.
    pub fn boolean(self, name: &str, value: bool) -> Self {
        self.opt(name, 5, json!(value))
    }

    /// A number option.
    pub fn number(self, name: &str, value: f64) -> Self {
        self.opt(name, 10, json!(value))
    }

    /// A user option, with the user and their member in `resolved`.
    pub fn user(mut self, name: &str, user_id: u64) -> Self {
        let mut m = member(user_id, &member_roles(user_id));
        m.as_object_mut().expect("object").remove("user");
        m["permissions"] = json!(EVERYONE_PERMISSIONS.to_string());
        self.resolve("users", user_id, user(user_id));
        self.resolve("members", user_id, m);
        self.opt(name, 6, json!(user_id.to_string()))
    }

    /// A user option for someone who is not a member of the server: the
    /// user in `resolved`, no member.
    pub fn non_member(mut self, name: &str, user_id: u64) -> Self {
        self.resolve("users", user_id, user(user_id));
        self.opt(name, 6, json!(user_id.to_string()))
    }

    /// A role option, with the role in `resolved`.
    pub fn role(mut self, name: &str, role_id: u64) -> Self {
        self.resolve("roles", role_id, payloads::role_by_id(role_id));
        self.opt(name, 8, json!(role_id.to_string()))
    }

    /// A channel option, with the channel in `resolved`.
    pub fn channel(mut self, name: &str, channel_id: u64) -> Self {
        let c = payloads::channel(channel_id);
        let partial = json!({
            "id": c["id"], "name": c["name"], "type": 0, "permissions": EVERYONE_PERMISSIONS.to_string(),
            "guild_id": GUILD_ID.to_string(), "parent_id": null, "flags": 0, "last_message_id": null,
            "topic": null, "nsfw": false, "position": c["position"], "rate_limit_per_user": 0,
        });
        self.resolve("channels", channel_id, partial);
        self.opt(name, 7, json!(channel_id.to_string()))
    }

    /// The option being typed in an autocomplete interaction: its partial text, `focused: true`.
    pub fn focused(mut self, name: &str, partial: &str) -> Self {
        self.options.push(json!({"name": name, "type": 3, "value": partial, "focused": true}));
        self
    }

    /// The focused option of an integer option (Discord sends the typed text as a string).
    pub fn focused_integer(mut self, name: &str, partial: &str) -> Self {
        self.options.push(json!({"name": name, "type": 4, "value": partial, "focused": true}));
        self
    }

    fn resolve(&mut self, kind: &str, id: u64, value: Value) {
        let map = self.resolved.entry(kind).or_insert_with(|| json!({}));
        map[id.to_string()] = value;
    }

    /// The INTERACTION_CREATE payload (`d`), with a fresh id and token. Its `data.id` is a fresh
    /// id too; [`super::Simulator::send_interaction`] replaces it with the registered command's.
    pub fn build(self) -> Value {
        let mut options = self.options;
        if let Some(sub) = self.sub {
            options = vec![json!({"name": sub, "type": 1, "options": options})];
        }
        if let Some(group) = self.group {
            options = vec![json!({"name": group, "type": 2, "options": options})];
        }
        let mut data = json!({
            "id": fresh_id().to_string(), "name": self.name, "type": 1, "options": options, "guild_id": GUILD_ID.to_string(),
        });
        if !self.resolved.is_empty() {
            data["resolved"] = Value::Object(self.resolved);
        }
        envelope(self.kind, &self.invoker, data)
    }
}

/// A message component interaction (type 3) under construction.
#[derive(Clone, Debug)]
pub struct ComponentBuilder {
    custom_id: String,
    component_type: u64,
    values: Option<Vec<String>>,
    message: Option<Value>,
    invoker: Invoker,
}

/// Starts a button press on `custom_id` by [`Invoker::athlete`] in [`CHANNEL_ID`].
pub fn button(custom_id: &str) -> ComponentBuilder {
    ComponentBuilder {
        custom_id: custom_id.into(),
        component_type: 2,
        values: None,
        message: None,
        invoker: Invoker::athlete(),
    }
}

/// Starts a string select choice of `values` on `custom_id`.
pub fn string_select(custom_id: &str, values: &[&str]) -> ComponentBuilder {
    ComponentBuilder {
        component_type: 3,
        values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
        ..button(custom_id)
    }
}

impl ComponentBuilder {
    /// Who presses it.
    pub fn by(mut self, invoker: Invoker) -> Self {
        self.invoker = invoker;
        self
    }

    /// The message carrying the component, as the simulator stored it (see
    /// [`super::Simulator::message`]); without it a minimal bot message with the button is used.
    pub fn on_message(mut self, message: Value) -> Self {
        self.message = Some(message);
        self
    }

    /// The INTERACTION_CREATE payload (`d`), with a fresh id and token.
    pub fn build(self) -> Value {
        let message = self.message.unwrap_or_else(|| {
            let body = json!({"content": "", "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "custom_id": self.custom_id, "label": "Button"}]}]});
            payloads::message(fresh_id(), self.invoker.channel_id, &body, false, 0)
        });
        let mut data = json!({"custom_id": self.custom_id, "component_type": self.component_type});
        if let Some(values) = self.values {
            data["values"] = json!(values);
        }
        let mut payload = envelope(3, &self.invoker, data);
        payload["message"] = message;
        payload
    }
}

/// A modal submission (type 5) of the form `custom_id`, with text inputs
/// `fields` (custom id, value), by [`Invoker::athlete`] in [`CHANNEL_ID`].
pub fn modal_submit(custom_id: &str, fields: &[(&str, &str)]) -> ModalBuilder {
    ModalBuilder {
        custom_id: custom_id.into(),
        fields: fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        invoker: Invoker::athlete(),
    }
}

/// A modal submission under construction.
pub struct ModalBuilder {
    custom_id: String,
    fields: Vec<(String, String)>,
    invoker: Invoker,
}

impl ModalBuilder {
    /// Who submits it.
    pub fn by(mut self, invoker: Invoker) -> Self {
        self.invoker = invoker;
        self
    }

    /// The INTERACTION_CREATE payload (`d`), with a fresh id and token: each
    /// field in its own action row, as Discord sends them back.
    pub fn build(self) -> Value {
        let rows: Vec<Value> = self
            .fields
            .iter()
            .map(|(id, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}))
            .collect();
        envelope(5, &self.invoker, json!({"custom_id": self.custom_id, "components": rows}))
    }
}
