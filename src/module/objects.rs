//! Object management (PKCS#11 3.1 section 5.7).
use zeroize::Zeroizing;

use super::Module;
use crate::CK_ULONG;
use crate::attr::check_value;
use crate::attr::policy::{self, Op};
use crate::attr::{Attribute, find_ulong};
use crate::constants::*;
use crate::mech::registry;
use crate::object::Object;
use crate::rv::CkResult;
use crate::session::Find;

/// One C_GetAttributeValue answer: the value, or why it is withheld
/// (CKR_ATTRIBUTE_SENSITIVE or CKR_ATTRIBUTE_TYPE_INVALID).
pub type AttrResult = Result<Vec<u8>, CK_ULONG>;

/// Makes a new object's attributes: policy-checks the caller's template
/// for `op`, lays the token-computed `generated` values over it, and lets
/// the key type validate and complete an imported key.
pub(super) fn new_object(
    op: Op,
    class: CK_ULONG,
    template: &[Attribute],
    generated: &[Attribute],
    is_so: bool,
) -> CkResult<Object> {
    let key_type = match class {
        CKO_PUBLIC_KEY | CKO_PRIVATE_KEY | CKO_SECRET_KEY => {
            let from_gen = find_ulong(generated, CKA_KEY_TYPE)?;
            let from_template = find_ulong(template, CKA_KEY_TYPE)?;
            if from_gen.is_some() && from_template.is_some() && from_gen != from_template {
                return Err(CKR_TEMPLATE_INCONSISTENT);
            }
            Some(from_gen.or(from_template).ok_or(CKR_TEMPLATE_INCOMPLETE)?)
        }
        _ => None,
    };
    let mut attrs = policy::build(op, class, key_type, template, is_so)?;
    for a in generated {
        attrs.insert(a.kind, Zeroizing::new(a.value.clone()));
    }
    if let Some(kt) = key_type
        && matches!(op, Op::Create | Op::Unwrap | Op::Derive)
    {
        let def = registry().key_type(kt).ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
        (def.complete)(class, &mut attrs)?;
    }
    check_value::complete(&mut attrs)?;
    policy::check_consistency(&attrs)?;
    Ok(Object::new(attrs))
}

impl Module {
    fn is_so(&self, h: CK_ULONG) -> CkResult<bool> {
        Ok(self.login_of(h)? == Some(CKU_SO))
    }

    /// C_CreateObject (5.7.1).
    pub fn create_object(&mut self, h: CK_ULONG, template: &[Attribute]) -> CkResult<CK_ULONG> {
        let is_so = self.is_so(h)?;
        let class = find_ulong(template, CKA_CLASS)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let object = new_object(Op::Create, class, template, &[], is_so)?;
        self.check_write(h, object.is_token(), object.is_private())?;
        self.insert_object(h, object)
    }

    /// C_CopyObject (5.7.2): the template may change what C_SetAttributeValue
    /// could, plus CKA_TOKEN, CKA_PRIVATE and CKA_MODIFIABLE.
    pub fn copy_object(
        &mut self,
        h: CK_ULONG,
        obj: CK_ULONG,
        template: &[Attribute],
    ) -> CkResult<CK_ULONG> {
        self.open_for(h, obj);
        let is_so = self.is_so(h)?;
        let source = self.object(h, obj, CKR_OBJECT_HANDLE_INVALID)?;
        if !source.bool(CKA_COPYABLE) {
            return Err(CKR_ACTION_PROHIBITED);
        }
        let mut attrs = policy::change(Op::Copy, &source.attrs, template, is_so)?;
        policy::check_consistency(&attrs)?;
        attrs.remove(&CKA_UNIQUE_ID);
        let copy = Object::new(attrs);
        self.check_write(h, copy.is_token(), copy.is_private())?;
        self.insert_object(h, copy)
    }

    /// C_DestroyObject (5.7.3).
    pub fn destroy_object(&mut self, h: CK_ULONG, obj: CK_ULONG) -> CkResult<()> {
        self.open_for(h, obj);
        let o = self.object(h, obj, CKR_OBJECT_HANDLE_INVALID)?;
        self.check_write(h, o.is_token(), o.is_private())?;
        if !o.bool(CKA_DESTROYABLE) {
            return Err(CKR_ACTION_PROHIBITED);
        }
        self.forget_object(obj);
        self.objects.remove(&obj);
        Ok(())
    }

    /// C_GetObjectSize (5.7.4).
    pub fn get_object_size(&mut self, h: CK_ULONG, obj: CK_ULONG) -> CkResult<CK_ULONG> {
        self.open_for(h, obj);
        Ok(self.object(h, obj, CKR_OBJECT_HANDLE_INVALID)?.size())
    }

    /// C_GetAttributeValue (5.7.5): one answer per requested type. The
    /// overall return value is `attribute_result_rv` of the answers.
    pub fn get_attribute_value(
        &mut self,
        h: CK_ULONG,
        obj: CK_ULONG,
        types: &[CK_ULONG],
    ) -> CkResult<Vec<AttrResult>> {
        self.open_for(h, obj);
        let o = self.object(h, obj, CKR_OBJECT_HANDLE_INVALID)?;
        Ok(types
            .iter()
            .map(|&t| {
                if policy::is_hidden(&o.attrs, t) {
                    Err(CKR_ATTRIBUTE_SENSITIVE)
                } else {
                    o.get(t)
                        .map(|v| v.to_vec())
                        .ok_or(CKR_ATTRIBUTE_TYPE_INVALID)
                }
            })
            .collect())
    }

    /// C_SetAttributeValue (5.7.6): all or nothing.
    pub fn set_attribute_value(
        &mut self,
        h: CK_ULONG,
        obj: CK_ULONG,
        template: &[Attribute],
    ) -> CkResult<()> {
        self.open_for(h, obj);
        let is_so = self.is_so(h)?;
        let o = self.object(h, obj, CKR_OBJECT_HANDLE_INVALID)?;
        self.check_write(h, o.is_token(), o.is_private())?;
        if !o.bool(CKA_MODIFIABLE) {
            return Err(CKR_ACTION_PROHIBITED);
        }
        let attrs = policy::change(Op::Set, &o.attrs, template, is_so)?;
        let Some(e) = self.objects.get_mut(&obj) else {
            return Ok(());
        };
        let old = std::mem::replace(&mut e.object.attrs, attrs);
        if let Err(rv) = self.save_object(obj) {
            if let Some(e) = self.objects.get_mut(&obj) {
                e.object.attrs = old;
            }
            return Err(rv);
        }
        Ok(())
    }

    /// C_FindObjectsInit (5.7.7): the matches are fixed now; objects made
    /// later are not found by this search.
    /// An empty template matches every object, unopened ones (`unopened`)
    /// included without opening them; any other opens them all first.
    pub fn find_objects_init(&mut self, h: CK_ULONG, template: &[Attribute]) -> CkResult<()> {
        let s = self.session(h)?;
        if s.ops.find.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let slot_id = s.slot_id;
        if !template.is_empty() {
            self.open_all(slot_id);
        }
        let user = self.token_of(slot_id).login == Some(CKU_USER);
        let mut handles: Vec<CK_ULONG> = self
            .objects
            .iter()
            .filter(|(_, e)| {
                e.slot_id == slot_id
                    && (user || !e.object.is_private())
                    && e.object.matches(template)
            })
            .map(|(h, _)| *h)
            .collect();
        // Unopened ones (an empty template) after the others: the order
        // of a search's results is the token's to choose.
        if user {
            self.unopened_handles(slot_id, &mut handles);
        }
        self.session_mut(h)?.ops.find = Some(Find { handles, next: 0 });
        Ok(())
    }

    /// Appends the unopened handles of `slot_id`. Never inlined: a loop
    /// over 1,000 of them would make the whole of C_FindObjectsInit hot
    /// in V8 (see `Module::apply_record`).
    #[inline(never)]
    fn unopened_handles(&self, slot_id: CK_ULONG, out: &mut Vec<CK_ULONG>) {
        out.extend(
            self.unopened
                .iter()
                .filter(|(_, e)| e.slot_id == slot_id)
                .map(|(h, _)| *h),
        );
    }

    /// C_FindObjects (5.7.8): up to `max` more handles.
    pub fn find_objects(&mut self, h: CK_ULONG, max: usize) -> CkResult<Vec<CK_ULONG>> {
        self.check_init()?;
        let s = self
            .sessions
            .get_mut(&h)
            .ok_or(CKR_SESSION_HANDLE_INVALID)?;
        let find = s.ops.find.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        let mut out = Vec::new();
        // Objects destroyed since C_FindObjectsInit are skipped.
        while out.len() < max && find.next < find.handles.len() {
            let handle = find.handles[find.next];
            find.next += 1;
            if self.objects.contains_key(&handle) || self.unopened.contains_key(&handle) {
                out.push(handle);
            }
        }
        Ok(out)
    }

    /// C_FindObjectsFinal (5.7.9).
    pub fn find_objects_final(&mut self, h: CK_ULONG) -> CkResult<()> {
        let s = self.session_mut(h)?;
        s.ops
            .find
            .take()
            .map(|_| ())
            .ok_or(CKR_OPERATION_NOT_INITIALIZED)
    }
}

/// The return value of C_GetAttributeValue for a set of answers: OK if all
/// were answered, else one of the failure codes (5.7.5 lets us pick any;
/// sensitivity is reported first, as it is the one callers act on).
pub fn attribute_result_rv(results: &[AttrResult]) -> CK_ULONG {
    if results.contains(&Err(CKR_ATTRIBUTE_SENSITIVE)) {
        CKR_ATTRIBUTE_SENSITIVE
    } else if results.iter().any(|r| r.is_err()) {
        CKR_ATTRIBUTE_TYPE_INVALID
    } else {
        CKR_OK
    }
}
