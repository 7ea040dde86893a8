//! Plans and task lists carried by tool calls.
//!
//! * `TodoWrite {todos: [{content, status, activeForm}]}`: the whole list each time.
//! * `TaskCreate {subject, description, activeForm?}` / `TaskUpdate {taskId, subject?,
//!   status?, …}` (2.1.x): incremental; we keep the session's task list and emit it whole.
//!   Task ids are assigned by the tool (sequential numbers); the id the result reports
//!   (`toolUseResult.task.id`) replaces our provisional one.
//! * `ExitPlanMode {plan}`: the plan text, as the update's explanation (no steps).

use convx_model::{EventKind, PlanStep, PlanStepStatus};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Task {
    id: String,
    subject: String,
    status: PlanStepStatus,
}

/// The task list of one session.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    items: Vec<Task>,
    /// `TaskCreate` call id -> provisional task id.
    created: HashMap<String, String>,
}

fn str_field<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

impl Tasks {
    fn steps(&self) -> Vec<PlanStep> {
        self.items
            .iter()
            .map(|t| PlanStep {
                text: t.subject.clone(),
                status: t.status.clone(),
            })
            .collect()
    }

    fn next_id(&self) -> String {
        let max = self
            .items
            .iter()
            .filter_map(|t| t.id.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        (max + 1).to_string()
    }

    /// The plan update a tool call carries, if any.
    pub fn on_call(&mut self, call_id: &str, name: &str, input: &Value) -> Option<EventKind> {
        match name {
            "TodoWrite" => {
                let todos = input.get("todos")?.as_array()?;
                let steps = todos
                    .iter()
                    .map(|t| PlanStep {
                        text: str_field(t, &["content", "subject", "title", "activeForm"])
                            .unwrap_or("")
                            .to_string(),
                        status: PlanStepStatus::parse(
                            t.get("status").and_then(Value::as_str).unwrap_or("pending"),
                        ),
                    })
                    .collect();
                Some(EventKind::PlanUpdate {
                    explanation: None,
                    steps,
                })
            }
            "TaskCreate" => {
                let subject =
                    str_field(input, &["subject", "description", "activeForm"])?.to_string();
                let id = self.next_id();
                self.created.insert(call_id.to_string(), id.clone());
                let status = PlanStepStatus::parse(
                    input
                        .get("status")
                        .and_then(Value::as_str)
                        .unwrap_or("pending"),
                );
                self.items.push(Task {
                    id,
                    subject,
                    status,
                });
                Some(EventKind::PlanUpdate {
                    explanation: None,
                    steps: self.steps(),
                })
            }
            "TaskUpdate" => {
                let id = match input.get("taskId")? {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                let status = input.get("status").and_then(Value::as_str);
                let subject = str_field(input, &["subject"]);
                let pos = self.items.iter().position(|t| t.id == id);
                if status == Some("deleted") {
                    if let Some(p) = pos {
                        self.items.remove(p);
                    }
                } else {
                    let p = match pos {
                        Some(p) => p,
                        None => {
                            let subject =
                                subject.map_or_else(|| format!("Task {id}"), str::to_string);
                            self.items.push(Task {
                                id,
                                subject,
                                status: PlanStepStatus::Pending,
                            });
                            self.items.len() - 1
                        }
                    };
                    let t = &mut self.items[p];
                    if let Some(s) = subject {
                        t.subject = s.to_string();
                    }
                    if let Some(s) = status {
                        t.status = PlanStepStatus::parse(s);
                    }
                }
                Some(EventKind::PlanUpdate {
                    explanation: None,
                    steps: self.steps(),
                })
            }
            "ExitPlanMode" => {
                let plan = str_field(input, &["plan"])?;
                Some(EventKind::PlanUpdate {
                    explanation: Some(plan.to_string()),
                    steps: Vec::new(),
                })
            }
            _ => None,
        }
    }

    /// A `TaskCreate` result reported the real id of the task the call created.
    pub fn on_result(&mut self, call_id: &str, tool_use_result: Option<&Value>) {
        let Some(provisional) = self.created.remove(call_id) else {
            return;
        };
        let real = match tool_use_result
            .and_then(|r| r.get("task"))
            .and_then(|t| t.get("id"))
        {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return,
        };
        if real != provisional
            && let Some(t) = self.items.iter_mut().find(|t| t.id == provisional)
        {
            t.id = real;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn steps(k: Option<EventKind>) -> Vec<(String, PlanStepStatus)> {
        match k {
            Some(EventKind::PlanUpdate { steps, .. }) => {
                steps.into_iter().map(|s| (s.text, s.status)).collect()
            }
            other => panic!("not a plan: {other:?}"),
        }
    }

    #[test]
    fn todo_write_is_the_whole_list() {
        let mut t = Tasks::default();
        let s = steps(t.on_call(
            "c1",
            "TodoWrite",
            &json!({"todos":[
            {"content":"Read code","status":"completed","activeForm":"Reading code"},
            {"content":"Fix bug","status":"in_progress","activeForm":"Fixing bug"}]}),
        ));
        assert_eq!(
            s,
            vec![
                ("Read code".into(), PlanStepStatus::Completed),
                ("Fix bug".into(), PlanStepStatus::InProgress)
            ]
        );
        assert!(t.on_call("c2", "TodoWrite", &json!({})).is_none());
    }

    #[test]
    fn tasks_are_maintained() {
        let mut t = Tasks::default();
        steps(t.on_call(
            "a",
            "TaskCreate",
            &json!({"subject":"Write parser","description":"..."}),
        ));
        t.on_result(
            "a",
            Some(&json!({"task":{"id":"1","subject":"Write parser"}})),
        );
        steps(t.on_call("b", "TaskCreate", &json!({"subject":"Add tests"})));
        t.on_result("b", Some(&json!({"task":{"id":"7"}})));
        let s = steps(t.on_call(
            "c",
            "TaskUpdate",
            &json!({"taskId":"7","status":"in_progress"}),
        ));
        assert_eq!(s[1], ("Add tests".into(), PlanStepStatus::InProgress));
        let s = steps(t.on_call("d", "TaskUpdate", &json!({"taskId":"1","status":"deleted"})));
        assert_eq!(s, vec![("Add tests".into(), PlanStepStatus::InProgress)]);
        let s = steps(t.on_call("e", "TaskUpdate", &json!({"taskId":9,"status":"completed"})));
        assert_eq!(s[1], ("Task 9".into(), PlanStepStatus::Completed));
    }

    #[test]
    fn exit_plan_mode_carries_the_text() {
        let mut t = Tasks::default();
        match t.on_call("x", "ExitPlanMode", &json!({"plan":"1. a\n2. b"})) {
            Some(EventKind::PlanUpdate { explanation, steps }) => {
                assert_eq!(explanation.as_deref(), Some("1. a\n2. b"));
                assert!(steps.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(
            t.on_call("y", "ExitPlanMode", &json!({"allowedPrompts":[]}))
                .is_none()
        );
        assert!(t.on_call("z", "Bash", &json!({"command":"ls"})).is_none());
    }
}
