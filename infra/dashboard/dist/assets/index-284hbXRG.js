var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),ne(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,ae(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function D(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=O(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=ne(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&M(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=k(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function O(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=A(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),N(s,s));return r}function k(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=k(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function A(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function j(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function ee(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||j(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||j(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=te(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function te(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function ne(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,O,k,A,j,ee,te,ne,ae,M,P,F=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=re(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);e:if(typeof F==`function`){v=s.length;try{if(E=n.props,O=(p=F.prototype)&&p.render,k=(p=F.contextType)&&i[p.__c],A=p?k?k.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(O?n.__c=y=new F(E,A):(n.__c=y=new x(E,A),y.constructor=F,y.render=se),k&&k.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),O&&(y.__s||(y.__s=y.state),F.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,F.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&O&&!F.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,A),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,A)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break e}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,A),O&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else O&&!F.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),O&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=A,y.props=E,y.__P=t,y.__g&=-5,j=e.__r,ee=O?25:0;do y.__g&=-9,j&&j(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++ee<25);O&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),O&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),te=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&N(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=D(t,m(te)?te:[te],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(M=o.indexOf(c||void 0))||(M=o.length);(P=o[M-1])&&P.nodeType==8;)M--;for(;M<o.length;M++)if(P=o[M]){if(o[M]=null,ne){if(P==ae)break}else{if(P.nodeType!=8)break;P.data.startsWith(`$s`)&&(ae=re(ne=P))}}}if(!ne){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;ne=c}(p=re(ne=n.__c.__z||(n.__c.__z=ne)))?(n.__e=ne,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||ie(n),e.__e(t,n,r)}}else c=n.__e=oe(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function re(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function ie(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(ie))}function ae(t,n,r){for(var i=0;i<r.length;)M(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function oe(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,O=n.type;if(O==`svg`?a=`http://www.w3.org/2000/svg`:O==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(O?b.localName==O:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!O)return w.createTextNode(E);t=w.createElementNS(a,O,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(O){if(u=O==`template`&&t.content||t,o=O==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||ee(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||ee(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(O==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(O))&&(a=`http://www.w3.org/1999/xhtml`),D(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&O!=`textarea`||(f=`value`,O==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(O!=`progress`||x)||ee(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&ee(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function M(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function N(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||M(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&N(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=re(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function se(e,t,n){return this.constructor(e,n)}function P(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],ne(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),ae(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var F=function(e,t,n,r){var i;t[0]=0;for(var a=1;a<t.length;a++){var o=t[a++],s=t[a]?(t[0]|=o?1:2,n[t[a++]]):t[++a];o===3?r[0]=s:o===4?r[1]=Object.assign(r[1]||{},s):o===5?(r[1]=r[1]||{})[t[++a]]=s:o===6?r[1][t[++a]]+=s+``:o?(i=e.apply(s,F(e,s,n,[``,null])),r.push(i),s[0]?t[0]|=2:(t[a-2]=0,t[a]=i)):r.push(s)}return r},ce=new Map;function le(e){var t=ce.get(this);return t||(t=new Map,ce.set(this,t)),(t=F(this,t.get(e)||(t.set(e,t=function(e){for(var t,n,r=1,i=``,a=``,o=[0],s=function(e){r===1&&(e||(i=i.replace(/^\s*\n\s*|\s*\n\s*$/g,``)))?o.push(0,e,i):r===3&&(e||i)?(o.push(3,e,i),r=2):r===2&&i===`...`&&e?o.push(4,e,0):r===2&&i&&!e?o.push(5,0,!0,i):r>=5&&((i||!e&&r===5)&&(o.push(r,0,i,n),r=6),e&&(o.push(r,e,0,n),r=6)),i=``},c=0;c<e.length;c++){c&&(r===1&&s(),s(c));for(var l=0;l<e[c].length;l++)t=e[c][l],r===1?t===`<`?(s(),o=[o],r=3):i+=t:r===4?i===`--`&&t===`>`?(r=1,i=``):i=t+i[0]:a?t===a?a=``:i+=t:t===`"`||t===`'`?a=t:t===`>`?(s(),r=1):r&&(t===`=`?(r=5,n=i,i=``):t===`/`&&(r<5||e[c][l+1]===`>`)?(s(),r===3&&(o=o[0]),r=o,(o=o[0]).push(2,0,r),r=0):t===` `||t===`	`||t===`
`||t===`\r`?(s(),r=2):i+=t),r===3&&i===`!--`&&(r=4,o=o[0])}return s(),o}(e)),t),arguments,[])).length>1?t:t[0]}var I=le.bind(v),ue,L,de,fe,pe=Object.is,me=0,he=[],ge=[],R=e,_e=R.__b,ve=R.__r,ye=R.diffed,be=R.__c,z=R.unmount,B=R.__;function xe(e,t){R.__h&&R.__h(L,e,me||t),me=0;var n=L.__H||(L.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function V(e){return me=1,Se(Ne,e)}function Se(e,t,n){var r=xe(ue++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Ne(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);pe(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=L,!L.__f)){L.__f=!0;var i=L.shouldComponentUpdate;L.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,pe(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function Ce(e,t){var n=xe(ue++,3);!R.__s&&Me(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,L.__H.__h.push(n))}function we(e){return me=5,Te(function(){return{current:e}},[])}function Te(e,t){var n=xe(ue++,7);return Me(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function Ee(){var e;do{for(;e=ge.shift();)try{Ae(e)}catch(t){R.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=he.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Ae),t.__h.some(je),t.__h=[]}catch(n){t.__h=[],R.__e(n,e.__v)}}}while(ge.length)}R.__b=function(e){L=null,_e&&_e(e)},R.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),B&&B(e,t)},R.__r=function(e){ve&&ve(e),ue=0;var t=(L=e.__c).__H;t&&(de==L?L.__h=[]:(t.__h.some(Ae),t.__h.some(je),ue=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),de=L},R.diffed=function(e){ye&&ye(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&ke(he.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),de=L=null},R.__c=function(e,t){t.some(function(e){try{e.__h.some(Ae),e.__h=e.__h.filter(function(e){return!e.__||je(e)})}catch(t){e.__h=[function(){throw t}]}}),be&&be(e,t)},R.unmount=function(e){z&&z(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,ke(ge.push(r))}else Ae(r)}catch(e){t=e}}),r.__H=void 0,t&&R.__e(t,r.__v))};var De=typeof requestAnimationFrame==`function`;function Oe(e){var t,n=function(){clearTimeout(r),De&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);De&&(t=requestAnimationFrame(n))}function ke(e){e!=1&&fe==R.requestAnimationFrame||((fe=R.requestAnimationFrame)||Oe)(Ee)}function Ae(e){var t=L,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),L=t}function je(e){var t=L;e.__c=e.__(),L=t}function Me(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!pe(t,e[n])})}function Ne(e,t){return typeof t==`function`?t(e):t}var Pe=`editledger.token`;function Fe(){return sessionStorage.getItem(Pe)??``}function Ie(e){e===``?sessionStorage.removeItem(Pe):sessionStorage.setItem(Pe,e)}var Le=class extends Error{constructor(e,t){super(t.detail??t.title??`HTTP ${e}`),this.status=e,this.code=t.code??`http_error`,this.field=t.field}};async function Re(e,t,n){let r={accept:`application/json`,authorization:`Bearer ${Fe()}`};n!==void 0&&(r[`content-type`]=`application/json`);let i=await fetch(t,{method:e,headers:r,...n!==void 0&&{body:JSON.stringify(n)}}),a=await i.text(),o;try{o=a===``?void 0:JSON.parse(a)}catch{o={detail:a.slice(0,200)}}if(!i.ok)throw new Le(i.status,o??{});return o}var ze=e=>encodeURIComponent(e);function Be(e){let t=Object.entries(e).filter(([,e])=>e!==void 0&&e!==``);return t.length===0?``:`?${new URLSearchParams(t.map(([e,t])=>[e,String(t)]))}`}var H={status:async()=>await Re(`GET`,`/v1/status`),versions:async()=>await Re(`GET`,`/v1/versions`),version:async e=>await Re(`GET`,`/v1/versions/${ze(e)}`),diff:async(e,t)=>await Re(`GET`,`/v1/versions/${ze(e)}/diff/${ze(t)}`),editSet:async(e,t)=>await Re(`GET`,`/v1/edits${Be({at:e,limit:t})}`),edit:async e=>await Re(`GET`,`/v1/edits/${encodeURIComponent(e)}`),search:async e=>await Re(`GET`,`/v1/edits/search${Be(e)}`),events:async e=>await Re(`GET`,`/v1/events${Be(e)}`),promote:async(e,t)=>await Re(`POST`,`/v1/serving/promote`,{version:e,reason:t}),rollback:async(e,t)=>await Re(`POST`,`/v1/serving/rollback`,{toVersion:e,reason:t}),verify:async e=>await Re(`POST`,`/v1/jobs/verify`,{version:e}),decide:async(e,t,n)=>await Re(`POST`,`/v1/edits/${encodeURIComponent(e)}/${t}`,{reason:n}),get:async e=>await Re(`GET`,e),post:async(e,t)=>await Re(`POST`,e,t)};async function Ve(){let e=await fetch(`/v1/openapi.json`,{headers:{accept:`application/json`}});if(!e.ok)return new Set;let t=await e.json();return new Set(Object.keys(t.paths??{}))}async function He(e,t,n,r={}){let i=await fetch(e,{headers:{accept:`text/event-stream`,authorization:`Bearer ${Fe()}`,...r},signal:n});if(!i.ok||i.body===null)throw new Le(i.status,{});let a=i.body.pipeThrough(new TextDecoderStream).getReader(),o=``;for(;;){let{value:e,done:n}=await a.read();if(n)return;o+=e.replace(/\r\n?/g,`
`);for(let e=o.indexOf(`

`);e>=0;e=o.indexOf(`

`)){let n=o.slice(0,e);o=o.slice(e+2);let r=`message`,i,a=[];for(let e of n.split(`
`)){if(e===``||e.startsWith(`:`))continue;let t=e.indexOf(`:`),n=t<0?e:e.slice(0,t),o=t<0?``:e.slice(t+1).replace(/^ /,``);n===`event`?r=o:n===`data`?a.push(o):n===`id`&&(i=o)}a.length>0&&t(r,JSON.parse(a.join(`
`)),i)}}}var Ue=[[`reliability`,`Reliability`],[`generalization`,`Generalization`],[`locality`,`Locality`],[`capability`,`Capability`]],We=[[`reliability`,`Reliability`],[`perplexity`,`Perplexity`],[`uneditedFactAccuracy`,`Unedited fact accuracy`]];function Ge(e){return e===void 0?`no envelope declared`:e.within?`within the envelope`:`outside: ${e.failing.map(e=>`${e.metric} ${e.rule===`min`?`<`:`>`} ${e.bound}`).join(`, `)}`}function Ke(e){return e.length>12?e.slice(0,12):e}function qe(e){return e==null?`—`:`${(e*100).toFixed(1)}%`}function Je(e){return e==null?`—`:Math.abs(e)>=100?e.toFixed(1):e.toPrecision(4).replace(/\.?0+$/,``)}function Ye(e){if(e===void 0)return`—`;let t=e*100;return`${t>0?`+`:``}${t.toFixed(1)} pt`}function Xe(e){let t=new Date(e);return Number.isNaN(t.getTime())?e:t.toISOString().replace(`T`,` `).replace(/\.\d+Z$/,` UTC`)}function Ze(e){let[t=``,n=``]=e.replace(/^#\/?/,``).split(`?`),[r=`overview`,...i]=t.split(`/`).filter(e=>e!==``);return{page:r,id:i.length===0?void 0:decodeURIComponent(i.join(`/`)),params:new URLSearchParams(n)}}function Qe(e,t={}){let n=Object.entries(t).filter(([,e])=>e!==void 0&&e!==``),r=new URLSearchParams(n.map(([e,t])=>[e,String(t)])).toString();return`#/${e}${r===``?``:`?${r}`}`}function $e(e,t,n){let[r,i]=V({key:void 0,data:void 0,error:void 0});return Ce(()=>{let n=!0;return e().then(e=>n&&i({key:t,data:e,error:void 0}),e=>n&&i(n=>({key:t,data:n.key===t?n.data:void 0,error:e}))),()=>{n=!1}},[t,n]),r.key===t?r:{data:void 0,error:void 0}}function et({error:e}){if(e===void 0)return null;let t=e instanceof Le?` (HTTP ${e.status}, ${e.code})`:``;return I`<p class="error" role="alert">${e.message}${t}</p>`}function U(){return I`<p class="muted" role="status">Loading…</p>`}function tt({status:e}){return I`<span class=${`badge badge-${e}`}>${e}</span>`}function nt({id:e,label:t,action:n,onSubmit:r,danger:i=!1}){let[a,o]=V(``),[s,c]=V(void 0),[l,u]=V(!1);return I`<form class="action" onSubmit=${async e=>{if(e.preventDefault(),a.trim()===``)c(Error(`reason: say why (it is recorded in the ledger)`));else{u(!0),c(void 0);try{await r(a.trim()),o(``)}catch(e){c(e)}finally{u(!1)}}}} aria-labelledby=${`${e}-legend`}>
    <p id=${`${e}-legend`} class="action-title">${t}</p>
    <label for=${`${e}-reason`}>Reason</label>
    <input
      id=${`${e}-reason`}
      name="reason"
      value=${a}
      required
      maxlength="2000"
      onInput=${e=>o(e.currentTarget.value)}
    />
    <button type="submit" class=${i?`danger`:``} disabled=${l}>${n}</button>
    <${et} error=${s} />
  </form>`}function rt({job:e,onDone:t}){let[n,r]=V(e),[i,a]=V(void 0),o=we(t);o.current=t,Ce(()=>{let t=new AbortController,n,i=!1;return He(`/v1/jobs/${e.id}/events`,(e,t)=>{n=t,i=n.state===`succeeded`||n.state===`failed`,r(n)},t.signal).then(()=>n!==void 0&&o.current?.(n),e=>{t.signal.aborted||a(e)}),()=>{i||t.abort()}},[e.id]);let s=n.progress,c=n.state===`succeeded`||n.state===`failed`;return I`<div class="job" role="status" aria-live="polite" data-job-state=${n.state}>
    <p>
      <strong>${n.kind}</strong> job: <span class=${`badge badge-${n.state}`}>${n.state}</span>
      ${s!==void 0&&!c?` — ${s.phase}`:``}
      ${s?.loss!==void 0&&!c?`, loss ${s.loss.toFixed(4)}`:``}
    </p>
    ${s?.epoch!==void 0&&s.epochs!==void 0&&!c?I`<progress max=${s.epochs} value=${s.epoch} aria-label="epochs done">${s.epoch}/${s.epochs}</progress>`:null}
    ${n.state===`succeeded`?I`<${it} job=${n} />`:null}
    ${n.error===void 0?null:I`<p class="error">${n.error.code}: ${n.error.detail}</p>`}
    <${et} error=${i} />
  </div>`}function it({job:e}){let t=e.result??{};return e.kind===`verify`?I`<p class=${t.identical===!0?`ok`:`error`}>
      ${t.identical===!0?`Bit-identical rebuild`:`The rebuild DIFFERS from the recorded artifact`}
    </p>`:e.kind===`rollback`?I`<p class="ok">
      Now serving version #${typeof t.ordinal==`number`?t.ordinal:`?`}
    </p>`:I`<p class="ok">Done</p>`}var at=[`q`,`system`,`ref`,`status`];function ot({params:e,tick:t}){let n=Object.fromEntries(at.map(t=>[t,e.get(t)??``])),[r,i]=V(n),a=JSON.stringify(n);Ce(()=>i(n),[a]);let{data:o,error:s}=$e(()=>H.search({q:n.q,system:n.system,ref:n.ref,status:n.status,limit:100}),a,t),c=e=>{e.preventDefault(),location.hash=Qe(`edits`,r)},l=e=>({id:`search-${e}`,name:e,value:r[e],onInput:t=>i({...r,[e]:t.currentTarget.value})});return I`<h1 tabindex="-1">Edits</h1>
    <form class="search" role="search" onSubmit=${c}>
      <div><label for="search-q">Fact key, subject or text</label><input type="search" ...${l(`q`)} /></div>
      <div><label for="search-system">Source system</label><input ...${l(`system`)} /></div>
      <div><label for="search-ref">Source ref</label><input ...${l(`ref`)} /></div>
      <div>
        <label for="search-status">Status</label>
        <select ...${l(`status`)} onChange=${l(`status`).onInput}>
          <option value="">any</option>
          <option value="active">active</option>
          <option value="retracted">retracted</option>
          <option value="superseded">superseded</option>
          <option value="pending">pending approval</option>
          <option value="rejected">rejected</option>
        </select>
      </div>
      <div><button type="submit">Search</button></div>
    </form>
    <${et} error=${s} />
    ${o===void 0?s===void 0&&I`<${U} />`:I`<p role="status" data-testid="search-count">
              ${o.total} edit(s) found${o.total>o.edits.length?`, the newest ${o.edits.length} shown`:``}.
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Search results">
              <table data-testid="search-results">
                <thead>
                  <tr>
                    <th scope="col">Edit</th>
                    <th scope="col">Fact key</th>
                    <th scope="col">Correction</th>
                    <th scope="col">Status</th>
                    <th scope="col">Source</th>
                    <th scope="col">Position</th>
                  </tr>
                </thead>
                <tbody>
                  ${o.edits.map(e=>I`<tr>
                        <th scope="row">
                          <a href=${Qe(`edits/${e.editId}`)}><code>${Ke(e.editId)}</code></a>
                        </th>
                        <td>
                          <code>${e.factKey}</code
                          >${e.subject?I`<br /><span class="muted">${e.subject}</span>`:null}
                        </td>
                        <td>${e.prompt} → <strong>${e.target}</strong></td>
                        <td><${tt} status=${e.status} /></td>
                        <td>${e.source.system} / ${e.source.ref}</td>
                        <td>${e.submittedAt}</td>
                      </tr>`)}
                </tbody>
              </table>
            </div>`}`}function st({id:e=``,tick:t,may:n}){let{data:r,error:i}=$e(()=>H.edit(e),e,t);if(r===void 0)return I`<h1 tabindex="-1">Edit</h1>
      ${i===void 0?I`<${U} />`:I`<${et} error=${i} />`}`;let a=r.submitted,o=r.status===`active`?`retract`:`reinstate`;return I`<h1 tabindex="-1">Edit <code>${Ke(r.editId)}</code> <${tt} status=${r.status} /></h1>
    <dl class="facts" data-testid="edit-facts">
      <dt>Fact key</dt>
      <dd><code>${r.factKey}</code></dd>
      ${a.subject===void 0?null:I`<dt>Subject</dt>
              <dd>${a.subject}</dd>`}
      <dt>Correction</dt>
      <dd>${a.prompt} → <strong>${a.target}</strong></dd>
      <dt>Source</dt>
      <dd>${a.source.system} / ${a.source.ref}</dd>
      <dt>Submitted by</dt>
      <dd>${a.submittedBy} at position ${r.submittedAt}: “${a.reason}”</dd>
      ${a.evidenceUrl===void 0?null:I`<dt>Evidence</dt>
              <dd><a href=${a.evidenceUrl} rel="noreferrer">${a.evidenceUrl}</a></dd>`}
      <dt>Paraphrases</dt>
      <dd>${a.rephrase.length===0?`—`:a.rephrase.join(` · `)}</dd>
      <dt>Locality probes</dt>
      <dd>${a.locality.length===0?`—`:a.locality.map(e=>e.prompt).join(` · `)}</dd>
      ${r.supersededBy===void 0?null:I`<dt>Superseded by</dt>
              <dd>
                <a href=${Qe(`edits/${r.supersededBy}`)}><code>${Ke(r.supersededBy)}</code></a>
              </dd>`}
      <dt>Review</dt>
      <dd data-testid="edit-review">${r.review===void 0?`none recorded (needed only where governance requires approval)`:`${r.review.decision} by ${r.review.by} at position ${r.review.position}: “${r.review.reason}”`}</dd>
      <dt>Model versions trained with it</dt>
      <dd>
        ${r.modelVersions.length===0?`none yet`:r.modelVersions.map(e=>I`<a href=${Qe(`versions/${e}`)}><code>${Ke(e)}</code></a> `)}
      </dd>
    </dl>
    ${n.has(`retract`)?I`<${nt}
            key=${o}
            id=${o}
            label=${o===`retract`?`Retract this edit`:`Make this edit active again`}
            action=${o===`retract`?`Retract`:`Reinstate`}
            danger=${o===`retract`}
            onSubmit=${async e=>{await H.decide(r.editId,o,e)}}
          />`:null}
    ${n.has(`approve`)&&r.review===void 0&&r.status===`active`?I`<${ct} editId=${r.editId} />`:null}
    <h2>History</h2>
    <div class="table-wrap" tabindex="0" role="region" aria-label="History">
      <table data-testid="edit-history">
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Event</th>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">What</th>
          </tr>
        </thead>
        <tbody>
          ${r.history.map(e=>I`<tr>
                <th scope="row"><a href=${Qe(`log`,{after:e.position-1})}>${e.position}</a></th>
                <td>${e.type}</td>
                <td>${Xe(e.at)}</td>
                <td>${e.actor}</td>
                <td>${e.summary}</td>
              </tr>`)}
        </tbody>
      </table>
    </div>`}function ct({editId:e}){return I`<div class="actions">
    <h2>Review</h2>
    <${nt} id="approve" label="Approve this edit for training" action="Approve" onSubmit=${async t=>{await H.decide(e,`approve`,t)}} />
    <${nt} id="reject" label="Reject this edit (it is never trained)" action="Reject" danger=${!0} onSubmit=${async t=>{await H.decide(e,`reject`,t)}} />
  </div>`}var lt=[`EditSubmitted`,`EditRetracted`,`EditSuperseded`,`EditReinstated`,`BaseModelRegistered`,`TrainingPolicyRegistered`,`ModelVersionMaterialized`,`ServingVersionChanged`,`EditApproved`,`EditRejected`,`ServingPinReleased`,`AuditCheckpointSigned`],ut=25;function dt(e,t){let n=t??{},r=e=>typeof e==`string`?e:e===void 0?``:JSON.stringify(e);switch(e){case`EditSubmitted`:return`${r(n.factKey)}: ${r(n.prompt)} → ${r(n.target)}`;case`EditRetracted`:case`EditReinstated`:return`${Ke(r(n.editId))}: ${r(n.reason)}`;case`EditSuperseded`:return`${Ke(r(n.oldEditId))} by ${Ke(r(n.newEditId))}`;case`ModelVersionMaterialized`:return`${Ke(r(n.versionId))}: ${Array.isArray(n.editIds)?n.editIds.length:`?`} edits at position ${r(n.position)}`;case`ServingVersionChanged`:return`${Ke(r(n.versionId))} (was ${n.previousVersionId===null?`nothing`:Ke(r(n.previousVersionId))}): ${r(n.reason)}`;default:return r(n.name??n.baseModelId??``)}}function ft({params:e,tick:t}){let n=Number(e.get(`after`)??0)||0,r=e.get(`type`)??``,{data:i,error:a}=$e(()=>H.events({after:n,limit:ut,...r!==``&&{type:r}}),`${n}/${r}`,t),o=e=>{location.hash=Qe(`log`,{after:n,type:r,...e})};return I`<h1 tabindex="-1">Log</h1>
    <div class="toolbar">
      <label for="log-type">Event type</label>
      <select
        id="log-type"
        value=${r}
        onChange=${e=>o({type:e.currentTarget.value,after:0})}
      >
        <option value="">all types</option>
        ${lt.map(e=>I`<option value=${e}>${e}</option>`)}
      </select>
      <nav aria-label="Log pages" class="pager">
        <button type="button" disabled=${n===0} onClick=${()=>o({after:0})}>First</button>
        <button type="button" disabled=${n===0} onClick=${()=>o({after:Math.max(0,n-ut)})}>
          Previous
        </button>
        <button type="button" disabled=${i?.nextAfter===void 0} onClick=${()=>o({after:i?.nextAfter})}>
          Next
        </button>
        <button
          type="button"
          disabled=${i===void 0}
          onClick=${()=>o({after:Math.max(0,(i?.head??0)-ut)})}
        >
          Latest
        </button>
      </nav>
    </div>
    <${et} error=${a} />
    ${i===void 0?a===void 0&&I`<${U} />`:I`<p role="status" class="muted" data-testid="log-range">
              ${i.events.length===0?`No events after position ${n}.`:`Positions ${i.events[0]?.position}–${i.events.at(-1)?.position} of ${i.head}`}${r===``?``:`, type ${r}`}
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Events">
              <table data-testid="log-table">
                <thead>
                  <tr>
                    <th scope="col">Position</th>
                    <th scope="col">Type</th>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">What</th>
                  </tr>
                </thead>
                <tbody>
                  ${i.events.map(e=>I`<tr data-type=${e.type}>
                        <th scope="row">${e.position}</th>
                        <td>${e.type}</td>
                        <td>
                          ${Xe(typeof e.metadata.recordedAt==`string`?e.metadata.recordedAt:e.recordedAt)}
                        </td>
                        <td>${typeof e.metadata.actor==`string`?e.metadata.actor:``}</td>
                        <td>
                          <details>
                            <summary>${dt(e.type,e.data)}</summary>
                            <pre>
${JSON.stringify({stream:e.stream,revision:e.revision,id:e.id,data:e.data,metadata:e.metadata},null,2)}</pre>
                          </details>
                        </td>
                      </tr>`)}
                </tbody>
              </table>
            </div>`}`}var pt=`/v1/audit/verify`;function mt({status:e,tick:t,routes:n}){let r=$e(()=>H.versions(),`versions`,t),i=e.serving===null?void 0:r.data?.versions.find(t=>t.versionId===e.serving?.versionId),a=r.data?.servingHistory.at(-1);return I`<h1 tabindex="-1">Overview</h1>
    <div class="cards">
      <section class="card" aria-labelledby="card-ledger">
        <h2 id="card-ledger">Ledger</h2>
        <dl>
          <dt>Head position</dt>
          <dd data-testid="head">${e.head}</dd>
          <dt>Model versions</dt>
          <dd>${e.versions}</dd>
        </dl>
        <p><a href="#/log">Browse the log</a></p>
      </section>
      <section class="card" aria-labelledby="card-serving">
        <h2 id="card-serving">Serving</h2>
        ${e.serving===null?I`<p>No version is served yet.</p>`:I`<dl>
                <dt>Version</dt>
                <dd data-testid="serving-version">
                  <a href=${Qe(`versions/${e.serving.versionId}`)}>#${e.serving.ordinal}</a> <code>${Ke(e.serving.versionId)}</code>
                </dd>
                <dt>Edits</dt>
                <dd>${i?.editIds.length??`…`}</dd>
                ${a===void 0?null:I`<dt>Since</dt>
                        <dd>${Xe(a.recordedAt)} by ${a.changedBy}: “${a.reason}”</dd>`}
              </dl>`}
      </section>
      <section class="card" aria-labelledby="card-trainer">
        <h2 id="card-trainer">Trainer</h2>
        <dl>
          <dt>State</dt>
          <dd>${e.trainer.running?`running`:`not running in this server`}</dd>
          <dt>Checkpoint</dt>
          <dd>position ${e.trainer.checkpoint}</dd>
          <dt>Lag</dt>
          <dd data-testid="trainer-lag">${e.trainer.pendingEdits} edit event(s) not yet trained</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="card-ingestion">
        <h2 id="card-ingestion">Ingestion (since start)</h2>
        <dl>
          <dt>Accepted</dt>
          <dd>${e.ingestion.accepted}</dd>
          <dt>Duplicates</dt>
          <dd>${e.ingestion.duplicates}</dd>
          <dt>Rejected</dt>
          <dd>${e.ingestion.rejected}</dd>
          <dt>Dead letters dropped</dt>
          <dd>${e.ingestion.deadLettersDropped}</dd>
        </dl>
      </section>
      <${ht} available=${n.has(pt)} tick=${t} />
    </div>
    <${et} error=${r.error} />`}function ht({available:e,tick:t}){let n=$e(async()=>e?H.get(pt):void 0,String(e),t),r=n.data??{};return I`<section class="card" aria-labelledby="card-verify">
    <h2 id="card-verify">Verification</h2>
    ${e?n.data===void 0?I`<p role="status">Checking…</p>`:I`<p data-testid="verify-badge" class=${`badge ${r.ok===!0?`badge-active`:`badge-retracted`}`}>${r.ok===!0?`chain verified`:`verification FAILED`}</p>
            <p class="muted">${r.chain?.verified??`?`} events chained${r.signaturesChecked?`, signatures checked`:`, signatures not checked (no public key)`}${r.checkedAt===void 0?``:`; checked ${Xe(r.checkedAt)}`}</p>
            ${r.firstProblem===void 0?null:I`<p class="error">position ${r.firstProblem.position}: ${r.firstProblem.what}</p>`}`:I`<p data-testid="verify-badge" class="badge badge-unknown">not available</p>
            <p class="muted">This server has no ${pt} route (chain and signature checks); use <code>npx editledger audit verify</code>.</p>`}
    <${et} error=${n.error} />
  </section>`}var gt=`/v1/reports`,_t=[`html`,`json`,`md`];function vt({routes:e,may:t}){return I`<h1 tabindex="-1">Reports</h1>
    ${e.has(`/v1/reports`)?t.has(`report`)?I`<${yt} />`:I`<p class="notice" role="note">Your role may not generate reports.</p>`:I`<p class="notice" role="note" data-testid="reports-unavailable">
            Compliance reports are not available on this server yet: it has no <code>${gt}</code> route (the governance and report work). Until then the same facts are in the Log, Versions and Edits pages and in <code>npx editledger log --json</code>.
          </p>`}`}function yt(){let[e,t]=V(``),[n,r]=V(``),[i,a]=V(`html`),[o,s]=V(void 0),[c,l]=V(``),u=async t=>{t.preventDefault(),s(void 0);try{let t=new URLSearchParams({format:i,...e!==``&&{from:e},...n!==``&&{to:n}}),r=await fetch(`${gt}?${t}`,{headers:{authorization:`Bearer ${Fe()}`}});if(!r.ok)throw Error(`the report was refused (HTTP ${r.status})`);let a=await r.blob(),o=document.createElement(`a`);o.href=URL.createObjectURL(a),o.download=`editledger-report.${i}`,o.click(),URL.revokeObjectURL(o.href),l(`Downloaded editledger-report.${i} (${a.size} bytes).`)}catch(e){s(e)}},d=e=>t=>e(t.currentTarget.value);return I`<form class="search" onSubmit=${u}>
      <div>
        <label for="report-from">From</label
        ><input id="report-from" type="date" value=${e} onInput=${d(t)} />
      </div>
      <div>
        <label for="report-to">To</label><input id="report-to" type="date" value=${n} onInput=${d(r)} />
      </div>
      <div>
        <label for="report-format">Format</label>
        <select
          id="report-format"
          value=${i}
          onChange=${d(e=>a(e))}
        >
          ${_t.map(e=>I`<option value=${e}>${e}</option>`)}
        </select>
      </div>
      <div><button type="submit">Generate and download</button></div>
    </form>
    ${c===``?null:I`<p class="ok" role="status">${c}</p>`}
    <${et} error=${o} />`}var bt=/^(perplexity|epochs|finalLoss|steps)/;function xt({from:e,to:t,tick:n}){let{data:r,error:i}=$e(()=>H.diff(e,t),`${e}/${t}`,n);return r===void 0?i===void 0?I`<${U} />`:I`<${et} error=${i} />`:I`<div class="diff" data-testid="diff">
    <p>From <a href=${Qe(`versions/${r.from}`)}><code>${Ke(r.from)}</code></a> to <a href=${Qe(`versions/${r.to}`)}><code>${Ke(r.to)}</code></a>: <strong>${r.added.length}</strong> added, <strong>${r.removed.length}</strong> removed, ${r.unchanged} unchanged; ${r.sameBase?`same base`:`different base`}, ${r.samePolicy?`same policy`:`different policy`}.</p>
    <${St} title="Added" testid="diff-added" edits=${r.added} />
    <${St} title="Removed" testid="diff-removed" edits=${r.removed} />
    <h3>Metric changes</h3>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Metric changes">
      <table>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          ${r.metrics.map(e=>I`<tr>
                <th scope="row">${e.name}</th>
                <td>${Je(e.from)}</td>
                <td>${Je(e.to)}</td>
                <td class=${e.delta===void 0||e.delta===0?``:e.delta>0?`up`:`down`}>
                  ${bt.test(e.name)?e.delta===void 0?`—`:Je(e.delta):Ye(e.delta)}
                </td>
              </tr>`)}
        </tbody>
      </table>
    </div>
  </div>`}function St({title:e,testid:t,edits:n}){return I`<h3>${e} (${n.length})</h3>
    ${n.length===0?I`<p class="muted">none</p>`:I`<ul data-testid=${t}>
            ${n.map(e=>I`<li>
                  <a href=${Qe(`edits/${e.editId}`)}><code>${Ke(e.editId)}</code></a> <code>${e.factKey}</code>: ${e.prompt} → <strong>${e.target}</strong>
                </li>`)}
          </ul>`}`}function Ct({id:e=``,tick:t,may:n,params:r}){let i=$e(()=>H.version(e),e,t),a=$e(()=>H.versions(),`versions`,t),o=i.data;if(o===void 0)return I`<h1 tabindex="-1">Version</h1>
      ${i.error===void 0?I`<${U} />`:I`<${et} error=${i.error} />`}`;let s=r.get(`compare`)??``,c=(a.data?.versions??[]).filter(e=>e.versionId!==o.versionId);return I`<h1 tabindex="-1">Version #${o.ordinal} ${o.serving?I`<span class="badge badge-active">serving</span>`:null}</h1>
    <${Tt} version=${o} may=${n} />
    <section aria-labelledby="what">
      <h2 id="what">What it is</h2>
      <dl class="facts" data-testid="version-facts">
        <dt>Version id</dt>
        <dd><code>${o.versionId}</code></dd>
        <dt>Edit set</dt>
        <dd>${o.editIds.length} edits at ledger position ${o.position}; hash <code>${o.editSetHash}</code></dd>
        <dt>Training set hash</dt>
        <dd><code>${o.trainingSetHash}</code></dd>
        <dt>Base model</dt>
        <dd>${o.baseModelId}, weights <code>${o.baseHash}</code></dd>
        <dt>Policy</dt>
        <dd>LocFT-BF on layer ${o.policy.layer} ${o.policy.module}, Adam lr ${o.policy.lr}, batch ${o.policy.batchSize}, ≤ ${o.policy.epochs} epochs, seed ${o.policy.seed}; hash <code>${o.policyHash}</code></dd>
        <dt>Artifact sha256</dt>
        <dd><code data-testid="artifact-sha">${o.artifactSha256}</code></dd>
        <dt>Artifact</dt>
        <dd><code>${o.artifactUri}</code> (backend ${o.backend})</dd>
        <dt>Change envelope</dt>
        <dd data-testid="version-verdict">${Ge(o.verdict)}</dd>
        <dt>Recorded</dt>
        <dd>position ${o.recordedAtPosition}, ${Xe(o.recordedAt)} by ${o.recordedBy}, trained in ${(o.durationMs/1e3).toFixed(1)} s</dd>
      </dl>
    </section>
    <${wt} metrics=${o.metrics} />
    <section aria-labelledby="compare-h">
      <h2 id="compare-h">Diff against another version</h2>
      <label for="compare">Compare with</label>
      <select
        id="compare"
        value=${s}
        onChange=${e=>{let t=e.currentTarget.value;location.hash=Qe(`versions/${o.versionId}`,{compare:t})}}
      >
        <option value="">choose a version</option>
        ${c.map(e=>I`<option value=${e.versionId}>#${e.ordinal} ${Ke(e.versionId)}</option>`)}
      </select>
      ${s===``?null:I`<${xt} from=${s} to=${o.versionId} tick=${t} />`}
    </section>
    <${Et} position=${o.position} count=${o.editIds.length} tick=${t} />`}function wt({metrics:e}){let t=Object.keys(e).filter(e=>!e.endsWith(`Base`)&&!Ue.some(([t])=>t===e)&&!We.some(([t])=>t===e)).sort();return I`<section aria-labelledby="metrics-h">
    <h2 id="metrics-h">Metrics against the base</h2>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Metrics">
      <table data-testid="version-metrics">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">This version</th>
            <th scope="col">Base model</th>
          </tr>
        </thead>
        <tbody>
          ${Ue.map(([t,n])=>I`<tr>
                <th scope="row">${n}</th>
                <td>${qe(e[t])}</td>
                <td>
                  ${t===`reliability`?qe(e.reliabilityBase):t===`capability`?`100% (by definition)`:`—`}
                </td>
              </tr>`)}
          ${We.filter(([t])=>t!==`reliability`&&e[t]!==void 0).map(([t,n])=>I`<tr>
                <th scope="row">${n}</th>
                <td>${Je(e[t])}</td>
                <td>${Je(e[`${t}Base`])}</td>
              </tr>`)}
          ${t.map(t=>I`<tr>
                <th scope="row">${t}</th>
                <td>${Je(e[t])}</td>
                <td>—</td>
              </tr>`)}
        </tbody>
      </table>
    </div>
  </section>`}function Tt({version:e,may:t}){let[n,r]=V(void 0),[i,a]=V(``);if(!t.has(`serve`)&&!t.has(`materialize`))return null;let o=e.versionId;return I`<section class="actions" aria-labelledby="actions-h">
    <h2 id="actions-h">Actions</h2>
    ${t.has(`serve`)&&!e.serving?I`<${nt}
              id="promote"
              label=${`Serve version #${e.ordinal}`}
              action="Promote"
              onSubmit=${async t=>{await H.promote(o,t),a(`Version #${e.ordinal} is now served.`)}}
            />
            <${nt}
              id="rollback"
              label=${`Roll back to version #${e.ordinal}`}
              action="Roll back"
              danger=${!0}
              onSubmit=${async e=>r(await H.rollback(o,e))}
            />`:null}
    ${t.has(`materialize`)?I`<div class="action">
            <p class="action-title">Rebuild from the ledger and compare bit for bit</p>
            <button type="button" onClick=${async()=>r(await H.verify(o))}>Verify</button>
          </div>`:null}
    ${i===``?null:I`<p class="ok" role="status">${i}</p>`}
    ${n===void 0?null:I`<${rt} key=${n.id} job=${n} />`}
  </section>`}function Et({position:e,count:t,tick:n}){let{data:r,error:i}=$e(()=>H.editSet(e,200),String(e),n);return I`<section aria-labelledby="editset-h">
    <h2 id="editset-h">Edit set (${t})</h2>
    <${et} error=${i} />
    ${r===void 0?i===void 0&&I`<${U} />`:I`<div class="table-wrap" tabindex="0" role="region" aria-label="Edit set">
              <table data-testid="edit-set">
                <thead>
                  <tr>
                    <th scope="col">Edit</th>
                    <th scope="col">Fact key</th>
                    <th scope="col">Correction</th>
                  </tr>
                </thead>
                <tbody>
                  ${r.edits.map(e=>I`<tr>
                        <th scope="row">
                          <a href=${Qe(`edits/${e.editId}`)}><code>${Ke(e.editId)}</code></a>
                        </th>
                        <td><code>${e.factKey}</code></td>
                        <td>${e.prompt} → <strong>${e.target}</strong></td>
                      </tr>`)}
                </tbody>
              </table>
            </div>
            ${r.total>r.edits.length?I`<p class="muted">The first ${r.edits.length} of ${r.total} shown.</p>`:null}`}
  </section>`}var Dt=!0,Ot=`uplot`,kt=`u-hz`,At=`u-vt`,jt=`u-title`,Mt=`u-wrap`,Nt=`u-under`,Pt=`u-over`,Ft=`u-axis`,It=`u-off`,Lt=`u-select`,Rt=`u-cursor-x`,zt=`u-cursor-y`,Bt=`u-cursor-pt`,Vt=`u-legend`,Ht=`u-live`,Ut=`u-inline`,Wt=`u-series`,Gt=`u-marker`,Kt=`u-label`,qt=`u-value`,Jt=`width`,Yt=`height`,Xt=`top`,Zt=`bottom`,Qt=`left`,$t=`right`,en=`#000`,tn=`#0000`,nn=`mousemove`,rn=`mousedown`,an=`mouseup`,on=`mouseenter`,sn=`mouseleave`,cn=`dblclick`,ln=`resize`,un=`scroll`,dn=`change`,fn=`dppxchange`,pn=`--`,mn=typeof window<`u`,hn=mn?document:null,gn=mn?window:null,_n=mn?navigator:null,W,vn;function yn(){let e=devicePixelRatio;W!=e&&(W=e,vn&&Nn(dn,vn,yn),vn=matchMedia(`(min-resolution: ${W-.001}dppx) and (max-resolution: ${W+.001}dppx)`),Mn(dn,vn,yn),gn.dispatchEvent(new CustomEvent(fn)))}function bn(e,t){if(t!=null){let n=e.classList;!n.contains(t)&&n.add(t)}}function xn(e,t){let n=e.classList;n.contains(t)&&n.remove(t)}function G(e,t,n){e.style[t]=n+`px`}function Sn(e,t,n,r){let i=hn.createElement(e);return t!=null&&bn(i,t),n?.insertBefore(i,r),i}function Cn(e,t){return Sn(`div`,e,t)}var wn=new WeakMap;function Tn(e,t,n,r,i){let a=`translate(`+t+`px,`+n+`px)`;a!=wn.get(e)&&(e.style.transform=a,wn.set(e,a),t<0||n<0||t>r||n>i?bn(e,It):xn(e,It))}var En=new WeakMap;function Dn(e,t,n){let r=t+n;r!=En.get(e)&&(En.set(e,r),e.style.background=t,e.style.borderColor=n)}var On=new WeakMap;function kn(e,t,n,r){let i=t+``+n;i!=On.get(e)&&(On.set(e,i),e.style.height=n+`px`,e.style.width=t+`px`,e.style.marginLeft=r?-t/2+`px`:0,e.style.marginTop=r?-n/2+`px`:0)}var An={passive:!0},jn={...An,capture:!0};function Mn(e,t,n,r){t.addEventListener(e,n,r?jn:An)}function Nn(e,t,n,r){t.removeEventListener(e,n,An)}mn&&yn();function Pn(e,t,n,r){let i;n||=0,r||=t.length-1;let a=r<=0x7fffffff;for(;r-n>1;)i=a?n+r>>1:tr((n+r)/2),t[i]<e?n=i:r=i;return e-t[n]<=t[r]-e?n:r}function Fn(e){return(t,n,r)=>{let i=-1,a=-1;for(let a=n;a<=r;a++)if(e(t[a])){i=a;break}for(let i=r;i>=n;i--)if(e(t[i])){a=i;break}return[i,a]}}var In=e=>e!=null,Ln=e=>e!=null&&e>0,Rn=Fn(In),zn=Fn(Ln);function Bn(e,t,n,r=0,i=!1){let a=i?zn:Rn,o=i?Ln:In;[t,n]=a(e,t,n);let s=e[t],c=e[t];if(t>-1){if(r==1)s=e[t],c=e[n];else if(r==-1)s=e[n],c=e[t];else for(let r=t;r<=n;r++){let t=e[r];o(t)&&(t<s?s=t:t>c&&(c=t))}}return[s??dr,c??-dr]}function Vn(e,t,n,r){let i=sr(e),a=sr(t);e==t&&(i==-1?(e*=n,t/=n):(e/=n,t*=n));let o=n==10?cr:q,s=i==1?tr:rr,c=a==1?rr:tr,l=s(o(er(e))),u=c(o(er(t))),d=or(n,l),f=or(n,u);return n==10&&(l<0&&(d=Q(d,-l)),u<0&&(f=Q(f,-u))),r||n==2?(e=d*i,t=f*a):(e=Sr(e,d),t=Z(t,f)),[e,t]}function Hn(e,t,n,r){let i=Vn(e,t,n,r);return e==0&&(i[0]=0),t==0&&(i[1]=0),i}var Un=.1,Wn={mode:3,pad:Un},Gn={pad:0,soft:null,mode:0},Kn={min:Gn,max:Gn};function qn(e,t,n,r){return Nr(n)?Yn(e,t,n):(Gn.pad=n,Gn.soft=r?0:null,Gn.mode=r?3:0,Yn(e,t,Kn))}function K(e,t){return e??t}function Jn(e,t,n){for(t=K(t,0),n=K(n,e.length-1);t<=n;){if(e[t]!=null)return!0;t++}return!1}function Yn(e,t,n){let r=n.min,i=n.max,a=K(r.pad,0),o=K(i.pad,0),s=K(r.hard,-dr),c=K(i.hard,dr),l=K(r.soft,dr),u=K(i.soft,-dr),d=K(r.mode,0),f=K(i.mode,0),p=t-e,m=cr(p),h=ar(er(e),er(t)),g=er(cr(h)-m);(p<1e-24||g>10)&&(p=0,(e==0||t==0)&&(p=1e-24,d==2&&l!=dr&&(a=0),f==2&&u!=-dr&&(o=0)));let _=p||h||1e3,v=or(10,tr(cr(_))),y=Q(Sr(e-_*(p==0?e==0?.1:1:a),v/10),24),b=e>=l&&(d==1||d==3&&y<=l||d==2&&y>=l)?l:dr,x=ar(s,y<b&&e>=b?b:ir(b,y)),S=Q(Z(t+_*(p==0?t==0?.1:1:o),v/10),24),C=t<=u&&(f==1||f==3&&S>=u||f==2&&S<=u)?u:-dr,w=ir(c,S>C&&t<=C?C:ar(C,S));return x==w&&x==0&&(w=100),[x,w]}var Xn=new Intl.NumberFormat(mn?_n.language:`en-US`),Zn=e=>Xn.format(e),Qn=Math,$n=Qn.PI,er=Qn.abs,tr=Qn.floor,nr=Qn.round,rr=Qn.ceil,ir=Qn.min,ar=Qn.max,or=Qn.pow,sr=Qn.sign,cr=Qn.log10,q=Qn.log2,lr=(e,t=1)=>Qn.sinh(e)*t,ur=(e,t=1)=>Qn.asinh(e/t),dr=1/0;function J(e){return(cr((e^e>>31)-(e>>31))|0)+1}function fr(e,t,n){return ir(ar(e,t),n)}function pr(e){return typeof e==`function`}function Y(e){return pr(e)?e:()=>e}var mr=()=>{},hr=e=>e,gr=(e,t)=>t,_r=e=>null,vr=e=>!0,yr=(e,t)=>e==t,br=/\.\d*?(?=9{6,}|0{6,})/gm,X=e=>{if(Ar(e)||Cr.has(e))return e;let t=`${e}`,n=t.match(br);if(n==null)return e;let r=n[0].length-1;if(t.indexOf(`e-`)!=-1){let[e,n]=t.split(`e`);return+`${X(e)}e${n}`}return Q(e,r)};function xr(e,t){return X(Q(X(e/t))*t)}function Z(e,t){return X(rr(X(e/t))*t)}function Sr(e,t){return X(tr(X(e/t))*t)}function Q(e,t=0){if(Ar(e))return e;let n=10**t;return nr(e*n*(1+2**-52))/n}var Cr=new Map;function wr(e){return((``+e).split(`.`)[1]||``).length}function Tr(e,t,n,r){let i=[],a=r.map(wr);for(let o=t;o<n;o++){let t=er(o),n=Q(or(e,o),t);for(let s=0;s<r.length;s++){let c=e==10?+`${r[s]}e${o}`:r[s]*n,l=(o>=0?0:t)+(o>=a[s]?0:a[s]),u=e==10?c:Q(c,l);i.push(u),Cr.set(u,l)}}return i}var Er={},Dr=[],Or=[null,null],kr=Array.isArray,Ar=Number.isInteger,jr=e=>e===void 0;function Mr(e){return typeof e==`string`}function Nr(e){let t=!1;if(e!=null){let n=e.constructor;t=n==null||n==Object}return t}function Pr(e){return typeof e==`object`&&!!e}var Fr=Object.getPrototypeOf(Uint8Array),Ir=`__proto__`;function Lr(e,t=Nr){let n;if(kr(e)){let r=e.find(e=>e!=null);if(kr(r)||t(r)){n=Array(e.length);for(let r=0;r<e.length;r++)n[r]=Lr(e[r],t)}else n=e.slice()}else if(e instanceof Fr)n=e.slice();else if(t(e)){n={};for(let r in e)r!=Ir&&(n[r]=Lr(e[r],t))}else n=e;return n}function Rr(e){let t=arguments;for(let n=1;n<t.length;n++){let r=t[n];for(let t in r)t!=Ir&&(Nr(e[t])?Rr(e[t],Lr(r[t])):e[t]=Lr(r[t]))}return e}var zr=0,Br=1,Vr=2;function Hr(e,t,n){for(let r=0,i,a=-1;r<t.length;r++){let o=t[r];if(o>a){for(i=o-1;i>=0&&e[i]==null;)e[i--]=null;for(i=o+1;i<n&&e[i]==null;)e[a=i++]=null}}}var Ur=typeof queueMicrotask>`u`?e=>Promise.resolve().then(e):queueMicrotask;function Wr(e){let t=e[0],n=t.length,r=Array(n);for(let e=0;e<r.length;e++)r[e]=e;r.sort((e,n)=>t[e]-t[n]);let i=[];for(let t=0;t<e.length;t++){let a=e[t],o=Array(n);for(let e=0;e<n;e++)o[e]=a[r[e]];i.push(o)}return i}function Gr(e){let t=e[0][0],n=t.length;for(let r=1;r<e.length;r++){let i=e[r][0];if(i.length!=n)return!1;if(i!=t){for(let e=0;e<n;e++)if(i[e]!=t[e])return!1}}return!0}function Kr(e,t=100){let n=e.length;if(n<=1)return!0;let r=0,i=n-1;for(;r<=i&&e[r]==null;)r++;for(;i>=r&&e[i]==null;)i--;if(i<=r)return!0;let a=ar(1,tr((i-r+1)/t));for(let t=e[r],n=r+a;n<=i;n+=a){let r=e[n];if(r!=null){if(r<=t)return!1;t=r}}return!0}var qr=[`January`,`February`,`March`,`April`,`May`,`June`,`July`,`August`,`September`,`October`,`November`,`December`],Jr=[`Sunday`,`Monday`,`Tuesday`,`Wednesday`,`Thursday`,`Friday`,`Saturday`];function Yr(e){return e.slice(0,3)}var Xr=Jr.map(Yr),Zr={MMMM:qr,MMM:qr.map(Yr),WWWW:Jr,WWW:Xr};function Qr(e){return(e<10?`0`:``)+e}function $r(e){return(e<10?`00`:e<100?`0`:``)+e}var ei={YYYY:e=>e.getFullYear(),YY:e=>(e.getFullYear()+``).slice(2),MMMM:(e,t)=>t.MMMM[e.getMonth()],MMM:(e,t)=>t.MMM[e.getMonth()],MM:e=>Qr(e.getMonth()+1),M:e=>e.getMonth()+1,DD:e=>Qr(e.getDate()),D:e=>e.getDate(),WWWW:(e,t)=>t.WWWW[e.getDay()],WWW:(e,t)=>t.WWW[e.getDay()],HH:e=>Qr(e.getHours()),H:e=>e.getHours(),h:e=>{let t=e.getHours();return t==0?12:t>12?t-12:t},AA:e=>e.getHours()>=12?`PM`:`AM`,aa:e=>e.getHours()>=12?`pm`:`am`,a:e=>e.getHours()>=12?`p`:`a`,mm:e=>Qr(e.getMinutes()),m:e=>e.getMinutes(),ss:e=>Qr(e.getSeconds()),s:e=>e.getSeconds(),fff:e=>$r(e.getMilliseconds())};function ti(e,t){t||=Zr;let n=[],r=/\{([a-z]+)\}|[^{]+/gi,i;for(;i=r.exec(e);)n.push(i[0][0]==`{`?ei[i[1]]:i[0]);return e=>{let r=``;for(let i=0;i<n.length;i++)r+=typeof n[i]==`string`?n[i]:n[i](e,t);return r}}var ni=new Intl.DateTimeFormat().resolvedOptions().timeZone,ri=e=>e%1==0,ii=[1,2,2.5,5],ai=Tr(10,-32,0,ii),oi=Tr(10,0,32,ii),si=oi.filter(ri),ci=ai.concat(oi),li=`
`,ui=`{YYYY}`,di=li+ui,fi=`{M}/{D}`,pi=li+fi,mi=pi+`/{YY}`,hi=`{aa}`,gi=`{h}:{mm}`+hi,_i=li+gi,vi=`:{ss}`,$=null;function yi(e){let t=e*1e3,n=t*60,r=n*60,i=r*24,a=i*30,o=i*365,s=(e==1?Tr(10,0,3,ii).filter(ri):Tr(10,-3,0,ii)).concat([t,t*5,t*10,t*15,t*30,n,n*5,n*10,n*15,n*30,r,r*2,r*3,r*4,r*6,r*8,r*12,i,i*2,i*3,i*4,i*5,i*6,i*7,i*8,i*9,i*10,i*15,a,a*2,a*3,a*4,a*6,o,o*2,o*5,o*10,o*25,o*50,o*100]),c=[[o,ui,$,$,$,$,$,$,1],[i*28,`{MMM}`,di,$,$,$,$,$,1],[i,fi,di,$,$,$,$,$,1],[r,`{h}`+hi,mi,$,pi,$,$,$,1],[n,gi,mi,$,pi,$,$,$,1],[t,vi,mi+` `+gi,$,pi+` `+gi,$,_i,$,1],[e,vi+`.{fff}`,mi+` `+gi,$,pi+` `+gi,$,_i,$,1]];function l(t){return(s,c,l,u,d,f)=>{let p=[],m=d>=o,h=d>=a&&d<o,g=t(l),_=Q(g*e,3),v=ki(g.getFullYear(),m?0:g.getMonth(),h||m?1:g.getDate()),y=Q(v*e,3);if(h||m){let n=h?d/a:0,r=m?d/o:0,i=_==y?_:Q(ki(v.getFullYear()+r,v.getMonth()+n,1)*e,3),s=new Date(nr(i/e)),c=s.getFullYear(),l=s.getMonth();for(let a=0;i<=u;a++){let o=ki(c+r*a,l+n*a,1),s=o-t(Q(o*e,3));i=Q((+o+s)*e,3),i<=u&&p.push(i)}}else{let a=d>=i?i:d,o=y+(tr(l)-tr(_))+Z(_-y,a);p.push(o);let m=t(o),h=m.getHours()+m.getMinutes()/n+m.getSeconds()/r,g=d/r,v=f/s.axes[c]._space;for(;o=Q(o+d,e==1?0:3),!(o>u);)if(g>1){let e=tr(Q(h+g,6))%24,n=t(o).getHours()-e;n>1&&(n=-1),o-=n*r,h=(h+g)%24;let i=p[p.length-1];Q((o-i)/d,3)*v>=.7&&p.push(o)}else p.push(o)}return p}}return[s,c,l]}var[bi,xi,Si]=yi(1),[Ci,wi,Ti]=yi(.001);Tr(2,-53,53,[1]);function Ei(e,t){return e.map(e=>e.map((n,r)=>r==0||r==8||n==null?n:t(r==1||e[8]==0?n:e[1]+n)))}function Di(e,t){return(n,r,i,a,o)=>{let s=t.find(e=>o>=e[0])||t[t.length-1],c,l,u,d,f,p;return r.map(t=>{let n=e(t),r=n.getFullYear(),i=n.getMonth(),a=n.getDate(),o=n.getHours(),m=n.getMinutes(),h=n.getSeconds(),g=r!=c&&s[2]||i!=l&&s[3]||a!=u&&s[4]||o!=d&&s[5]||m!=f&&s[6]||h!=p&&s[7]||s[1];return c=r,l=i,u=a,d=o,f=m,p=h,g(n)})}}function Oi(e,t){let n=ti(t);return(t,r,i,a,o)=>r.map(t=>n(e(t)))}function ki(e,t,n){return new Date(e,t,n)}function Ai(e,t){return t(e)}var ji=`{YYYY}-{MM}-{DD} {h}:{mm}{aa}`;function Mi(e,t){return(n,r,i,a)=>a==null?pn:t(e(r))}function Ni(e,t){let n=e.series[t];return n.width?n.stroke(e,t):n.points.width?n.points.stroke(e,t):null}function Pi(e,t){return e.series[t].fill(e,t)}var Fi={show:!0,live:!0,isolate:!1,mount:mr,markers:{show:!0,width:2,stroke:Ni,fill:Pi,dash:`solid`},idx:null,idxs:null,values:[]};function Ii(e,t){let n=e.cursor.points,r=Cn(),i=n.size(e,t);G(r,Jt,i),G(r,Yt,i);let a=i/-2;G(r,`marginLeft`,a),G(r,`marginTop`,a);let o=n.width(e,t,i);return o&&G(r,`borderWidth`,o),r}function Li(e,t){let n=e.series[t].points;return n._fill||n._stroke}function Ri(e,t){let n=e.series[t].points;return n._stroke||n._fill}function zi(e,t){return e.series[t].points.size}var Bi=[0,0];function Vi(e,t,n){return Bi[0]=t,Bi[1]=n,Bi}function Hi(e,t,n,r=!0){return e=>{e.button!=0||r&&e.target!=t||n(e)}}function Ui(e,t,n,r=!0){return e=>{r&&e.target!=t||n(e)}}var Wi={show:!0,x:!0,y:!0,lock:!1,move:Vi,points:{one:!1,show:Ii,size:zi,width:0,stroke:Ri,fill:Li},bind:{mousedown:Hi,mouseup:Hi,click:Hi,dblclick:Hi,mousemove:Ui,mouseleave:Ui,mouseenter:Ui},drag:{setScale:!0,x:!0,y:!1,dist:0,uni:null,click:(e,t)=>{t.stopPropagation(),t.stopImmediatePropagation()},_x:!1,_y:!1},focus:{dist:(e,t,n,r,i)=>r-i,prox:-1,bias:0},hover:{skip:[void 0],prox:null,bias:0},left:-10,top:-10,idx:null,dataIdx:null,idxs:null,event:null},Gi={show:!0,stroke:`rgba(0,0,0,0.07)`,width:2},Ki=Rr({},Gi,{filter:gr}),qi=Rr({},Ki,{size:10}),Ji=Rr({},Gi,{show:!1}),Yi=`12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol", "Noto Color Emoji"`,Xi=`bold `+Yi,Zi=1.5,Qi={show:!0,scale:`x`,stroke:en,space:50,gap:5,alignTo:1,size:50,labelGap:0,labelSize:30,labelFont:Xi,side:2,grid:Ki,ticks:qi,border:Ji,font:Yi,lineGap:Zi,rotate:0},$i=`Value`,ea=`Time`,ta={show:!0,scale:`x`,auto:!1,sorted:1,min:dr,max:-1/0,idxs:[]};function na(e,t,n,r,i){return t.map(e=>e==null?``:Zn(e))}function ra(e,t,n,r,i,a,o){let s=[],c=Cr.get(i)||0;n=o?n:Q(Z(n,i),c);for(let e=n;e<=r;e=Q(e+i,c))s.push(Object.is(e,-0)?0:e);return s}function ia(e,t,n,r,i,a,o){let s=[],c=e.scales[e.axes[t].scale].log;i=or(c,tr((c==10?cr:q)(n))),c==10&&(i=ci[Pn(i,ci)]);let l=n,u=i*c;c==10&&(u=ci[Pn(u,ci)]);do s.push(l),l+=i,c==10&&!Cr.has(l)&&(l=Q(l,Cr.get(i))),l>=u&&(i=l,u=i*c,c==10&&(u=ci[Pn(u,ci)]));while(l<=r);return s}function aa(e,t,n,r,i,a,o){let s=e.scales[e.axes[t].scale].asinh,c=r>s?ia(e,t,ar(s,n),r,i):[s],l=r>=0&&n<=0?[0]:[];return(n<-s?ia(e,t,ar(s,-r),-n,i):[s]).reverse().map(e=>-e).concat(l,c)}var oa=/./,sa=/[12357]/,ca=/[125]/,la=/1/,ua=(e,t,n,r)=>e.map((e,i)=>t==4&&e==0||i%r==0&&n.test(e.toExponential()[+(e<0)])?e:null);function da(e,t,n,r,i){let a=e.axes[n],o=a.scale,s=e.scales[o],c=e.valToPos,l=a._space,u=c(10,o),d=c(9,o)-u>=l?oa:c(7,o)-u>=l?sa:c(5,o)-u>=l?ca:la;if(d==la){let e=er(c(1,o)-u);if(e<l)return ua(t.slice().reverse(),s.distr,d,rr(l/e)).reverse()}return ua(t,s.distr,d,1)}function fa(e,t,n,r,i){let a=e.axes[n],o=a.scale,s=a._space,c=e.valToPos,l=er(c(1,o)-c(2,o));return l<s?ua(t.slice().reverse(),3,oa,rr(s/l)).reverse():t}function pa(e,t,n,r){return r==null?pn:t==null?``:Zn(t)}var ma={show:!0,scale:`y`,stroke:en,space:30,gap:5,alignTo:1,size:50,labelGap:0,labelSize:30,labelFont:Xi,side:3,grid:Ki,ticks:qi,border:Ji,font:Yi,lineGap:Zi,rotate:0};function ha(e,t){return Q((3+(e||1)*2)*t,3)}function ga(e,t){let{scale:n,idxs:r}=e.series[0],i=e._data[0],a=e.valToPos(i[r[0]],n,!0),o=er(e.valToPos(i[r[1]],n,!0)-a)/(e.series[t].points.space*W);return r[1]-r[0]<=o}var _a={scale:null,auto:!0,sorted:0,min:dr,max:-1/0},va=(e,t,n,r,i)=>i,ya={show:!0,auto:!0,sorted:0,gaps:va,alpha:1,facets:[Rr({},_a,{scale:`x`}),Rr({},_a,{scale:`y`})]},ba={scale:`y`,auto:!0,sorted:0,show:!0,spanGaps:!1,gaps:va,alpha:1,points:{show:ga,filter:null},values:null,min:dr,max:-1/0,idxs:[],path:null,clip:null};function xa(e,t,n,r,i){return n/10}var Sa={time:Dt,auto:!0,distr:1,log:10,asinh:1,min:null,max:null,dir:1,ori:0},Ca=Rr({},Sa,{time:!1,ori:1}),wa={};function Ta(e,t){let n=wa[e];return n||(n={key:e,plots:[],sub(e){n.plots.push(e)},unsub(e){n.plots=n.plots.filter(t=>t!=e)},pub(e,t,r,i,a,o,s){for(let c=0;c<n.plots.length;c++)n.plots[c]!=t&&n.plots[c].pub(e,t,r,i,a,o,s)}},e!=null&&(wa[e]=n)),n}var Ea=1,Da=2;function Oa(e,t,n){let r=e.mode,i=e.series[t],a=r==2?e._data[t]:e._data,o=e.scales,s=e.bbox,c=a[0],l=r==2?a[1]:a[t],u=r==2?o[i.facets[0].scale]:o[e.series[0].scale],d=r==2?o[i.facets[1].scale]:o[i.scale],f=s.left,p=s.top,m=s.width,h=s.height,g=e.valToPosH,_=e.valToPosV;return u.ori==0?n(i,c,l,u,d,g,_,f,p,m,h,La,za,Va,Ua,Ga):n(i,c,l,u,d,_,g,p,f,h,m,Ra,Ba,Ha,Wa,Ka)}function ka(e,t){let n=0,r=0,i=K(e.bands,Dr);for(let e=0;e<i.length;e++){let a=i[e];a.series[0]==t?n=a.dir:a.series[1]==t&&(a.dir==1?r|=1:r|=2)}return[n,r==1?-1:r==2?1:r==3?2:0]}function Aa(e,t,n,r,i){let a=e.mode,o=e.series[t],s=a==2?o.facets[1].scale:o.scale,c=e.scales[s];return i==-1?c.min:i==1?c.max:c.distr==3?c.dir==1?c.min:c.max:0}function ja(e,t,n,r,i,a){return Oa(e,t,(e,t,o,s,c,l,u,d,f,p,m)=>{let h=e.pxRound,g=s.dir*(s.ori==0?1:-1),_=s.ori==0?za:Ba,v,y;g==1?(v=n,y=r):(v=r,y=n);let b=h(l(t[v],s,p,d)),x=h(u(o[v],c,m,f)),S=h(l(t[y],s,p,d)),C=h(u(a==1?c.max:c.min,c,m,f)),w=new Path2D(i);return _(w,S,C),_(w,b,C),_(w,b,x),w})}function Ma(e,t,n,r,i,a){let o=null;if(e.length>0){o=new Path2D;let s=t==0?Va:Ha,c=n;for(let t=0;t<e.length;t++){let n=e[t];if(n[1]>n[0]){let e=n[0]-c;e>0&&s(o,c,r,e,r+a),c=n[1]}}let l=n+i-c;l>0&&s(o,c,r-5,l,r+a+10)}return o}function Na(e,t,n){let r=e[e.length-1];r&&r[0]==t?r[1]=n:e.push([t,n])}function Pa(e,t,n,r,i,a,o){let s=[],c=e.length;for(let l=i==1?n:r;l>=n&&l<=r;l+=i)if(t[l]===null){let u=l,d=l;if(i==1)for(;++l<=r&&t[l]===null;)d=l;else for(;--l>=n&&t[l]===null;)d=l;let f=a(e[u]),p=d==u?f:a(e[d]),m=u-i;f=o<=0&&m>=0&&m<c?a(e[m]):f;let h=d+i;p=o>=0&&h>=0&&h<c?a(e[h]):p,p>=f&&s.push([f,p])}return s}function Fa(e){return e==0?hr:e==1?nr:t=>xr(t,e)}function Ia(e){let t=e==0?La:Ra,n=e==0?(e,t,n,r,i,a)=>{e.arcTo(t,n,r,i,a)}:(e,t,n,r,i,a)=>{e.arcTo(n,t,i,r,a)},r=e==0?(e,t,n,r,i)=>{e.rect(t,n,r,i)}:(e,t,n,r,i)=>{e.rect(n,t,i,r)};return(e,i,a,o,s,c=0,l=0)=>{c==0&&l==0?r(e,i,a,o,s):(c=ir(c,o/2,s/2),l=ir(l,o/2,s/2),t(e,i+c,a),n(e,i+o,a,i+o,a+s,c),n(e,i+o,a+s,i,a+s,l),n(e,i,a+s,i,a,l),n(e,i,a,i+o,a,c),e.closePath())}}var La=(e,t,n)=>{e.moveTo(t,n)},Ra=(e,t,n)=>{e.moveTo(n,t)},za=(e,t,n)=>{e.lineTo(t,n)},Ba=(e,t,n)=>{e.lineTo(n,t)},Va=Ia(0),Ha=Ia(1),Ua=(e,t,n,r,i,a)=>{e.arc(t,n,r,i,a)},Wa=(e,t,n,r,i,a)=>{e.arc(n,t,r,i,a)},Ga=(e,t,n,r,i,a,o)=>{e.bezierCurveTo(t,n,r,i,a,o)},Ka=(e,t,n,r,i,a,o)=>{e.bezierCurveTo(n,t,i,r,o,a)};function qa(e){return(e,t,n,r,i)=>Oa(e,t,(t,a,o,s,c,l,u,d,f,p,m)=>{let{pxRound:h,points:g}=t,_,v;s.ori==0?(_=La,v=Ua):(_=Ra,v=Wa);let y=Q(g.width*W,3),b=(g.size-g.width)/2*W,x=Q(b*2,3),S=new Path2D,C=new Path2D,{left:w,top:T,width:E,height:D}=e.bbox;Va(C,w-x,T-x,E+x*2,D+x*2);let O=e=>{if(o[e]!=null){let t=h(l(a[e],s,p,d)),n=h(u(o[e],c,m,f));_(S,t+b,n),v(S,t,n,b,0,$n*2)}};if(i)i.forEach(O);else for(let e=n;e<=r;e++)O(e);return{stroke:y>0?S:null,fill:S,clip:C,flags:3}})}function Ja(e){return(t,n,r,i,a,o)=>{r!=i&&(a!=r&&o!=r&&e(t,n,r),a!=i&&o!=i&&e(t,n,i),e(t,n,o))}}var Ya=Ja(za),Xa=Ja(Ba);function Za(e){let t=K(e?.alignGaps,0);return(e,n,r,i)=>Oa(e,n,(a,o,s,c,l,u,d,f,p,m,h)=>{[r,i]=Rn(s,r,i);let g=a.pxRound,_=e=>g(u(e,c,m,f)),v=e=>g(d(e,l,h,p)),y,b;c.ori==0?(y=za,b=Ya):(y=Ba,b=Xa);let x=c.dir*(c.ori==0?1:-1),S={stroke:new Path2D,fill:null,clip:null,band:null,gaps:null,flags:Ea},C=S.stroke,w=!1;if(i-r>=m*4){let t=t=>e.posToVal(t,c.key,!0),n=null,a=null,l,u,d,f=_(o[x==1?r:i]),p=_(o[r]),m=_(o[i]),h=t(x==1?p+1:m-1);for(let e=x==1?r:i;e>=r&&e<=i;e+=x){let r=o[e],i=(x==1?r<h:r>h)?f:_(r),c=s[e];i==f?c==null?c===null&&(w=!0):(u=c,n==null?(y(C,i,v(u)),l=n=a=u):u<n?n=u:u>a&&(a=u)):(n!=null&&b(C,f,v(n),v(a),v(l),v(u)),c==null?(n=a=null,c===null&&(w=!0)):(u=c,y(C,i,v(u)),n=a=l=u),f=i,h=t(f+x))}n!=null&&n!=a&&d!=f&&b(C,f,v(n),v(a),v(l),v(u))}else for(let e=x==1?r:i;e>=r&&e<=i;e+=x){let t=s[e];t===null?w=!0:t!=null&&y(C,_(o[e]),v(t))}let[T,E]=ka(e,n);if(a.fill!=null||T!=0){let t=S.fill=new Path2D(C),s=v(a.fillTo(e,n,a.min,a.max,T)),c=_(o[r]),l=_(o[i]);x==-1&&([l,c]=[c,l]),y(t,l,s),y(t,c,s)}if(!a.spanGaps){let l=[];w&&l.push(...Pa(o,s,r,i,x,_,t)),S.gaps=l=a.gaps(e,n,r,i,l),S.clip=Ma(l,c.ori,f,p,m,h)}return E!=0&&(S.band=E==2?[ja(e,n,r,i,C,-1),ja(e,n,r,i,C,1)]:ja(e,n,r,i,C,E)),S})}function Qa(e){let t=K(e.align,1),n=K(e.ascDesc,!1),r=K(e.alignGaps,0),i=K(e.extend,!1);return(e,a,o,s)=>Oa(e,a,(c,l,u,d,f,p,m,h,g,_,v)=>{[o,s]=Rn(u,o,s);let y=c.pxRound,{left:b,width:x}=e.bbox,S=e=>y(p(e,d,_,h)),C=e=>y(m(e,f,v,g)),w=d.ori==0?za:Ba,T={stroke:new Path2D,fill:null,clip:null,band:null,gaps:null,flags:Ea},E=T.stroke,D=d.dir*(d.ori==0?1:-1),O=C(u[D==1?o:s]),k=S(l[D==1?o:s]),A=k,j=k;i&&t==-1&&(j=b,w(E,j,O)),w(E,k,O);for(let e=D==1?o:s;e>=o&&e<=s;e+=D){let n=u[e];if(n==null)continue;let r=S(l[e]),i=C(n);t==1?w(E,r,O):w(E,A,i),w(E,r,i),O=i,A=r}let ee=A;i&&t==1&&(ee=b+x,w(E,ee,O));let[te,ne]=ka(e,a);if(c.fill!=null||te!=0){let t=T.fill=new Path2D(E),n=C(c.fillTo(e,a,c.min,c.max,te));w(t,ee,n),w(t,j,n)}if(!c.spanGaps){let i=[];i.push(...Pa(l,u,o,s,D,S,r));let f=c.width*W/2,p=n||t==1?f:-f,m=n||t==-1?-f:f;i.forEach(e=>{e[0]+=p,e[1]+=m}),T.gaps=i=c.gaps(e,a,o,s,i),T.clip=Ma(i,d.ori,h,g,_,v)}return ne!=0&&(T.band=ne==2?[ja(e,a,o,s,E,-1),ja(e,a,o,s,E,1)]:ja(e,a,o,s,E,ne)),T})}function $a(e,t,n,r,i,a,o=dr){if(e.length>1){let s=null;for(let c=0,l=1/0;c<e.length;c++)if(t[c]!==void 0){if(s!=null){let t=er(e[c]-e[s]);t<l&&(l=t,o=er(n(e[c],r,i,a)-n(e[s],r,i,a)))}s=c}}return o}function eo(e){e||=Er;let t=K(e.size,[.6,dr,1]),n=e.align||0,r=e.gap||0,i=e.radius;i=i==null?[0,0]:typeof i==`number`?[i,0]:i;let a=Y(i),o=1-t[0],s=K(t[1],dr),c=K(t[2],1),l=K(e.disp,Er),u=K(e.each,e=>{}),{fill:d,stroke:f}=l;return(e,t,i,p)=>Oa(e,t,(m,h,g,_,v,y,b,x,S,C,w)=>{let T=m.pxRound,E=n,D=r*W,O=s*W,k=c*W,A,j;_.ori==0?[A,j]=a(e,t):[j,A]=a(e,t);let ee=_.dir*(_.ori==0?1:-1),te=_.ori==0?Va:Ha,ne=_.ori==0?u:(e,t,n,r,i,a,o)=>{u(e,t,n,i,r,o,a)},re=K(e.bands,Dr).find(e=>e.series[0]==t),ie=re==null?0:re.dir,ae=m.fillTo(e,t,m.min,m.max,ie),oe=T(b(ae,v,w,S)),M,N,se,P=C,F=T(m.width*W),ce=!1,le=null,I=null,ue=null,L=null;d!=null&&(F==0||f!=null)&&(ce=!0,le=d.values(e,t,i,p),I=new Map,new Set(le).forEach(e=>{e!=null&&I.set(e,new Path2D)}),F>0&&(ue=f.values(e,t,i,p),L=new Map,new Set(ue).forEach(e=>{e!=null&&L.set(e,new Path2D)})));let{x0:de,size:fe}=l;if(de!=null&&fe!=null){E=1,h=de.values(e,t,i,p),de.unit==2&&(h=h.map(t=>e.posToVal(x+t*C,_.key,!0)));let n=fe.values(e,t,i,p);N=fe.unit==2?n[0]*C:y(n[0],_,C,x)-y(0,_,C,x),P=$a(h,g,y,_,C,x,P),se=P-N+D}else P=$a(h,g,y,_,C,x,P),se=P*o+D,N=P-se;se<1&&(se=0),F>=N/2&&(F=0),se<5&&(T=hr);let pe=se>0,me=P-se-(pe?F:0);N=T(fr(me,k,O)),M=(E==0?N/2:E==ee?0:N)-E*ee*((E==0?D/2:0)+(pe?F/2:0));let he={stroke:null,fill:null,clip:null,band:null,gaps:null,flags:0},ge=ce?null:new Path2D,R=null;if(re!=null)R=e.data[re.series[1]];else{let{y0:n,y1:r}=l;n!=null&&r!=null&&(g=r.values(e,t,i,p),R=n.values(e,t,i,p))}let _e=A*N,ve=j*N;for(let n=ee==1?i:p;n>=i&&n<=p;n+=ee){let r=g[n];if(r==null)continue;if(R!=null){let e=R[n]??0;if(r-e==0)continue;oe=b(e,v,w,S)}let i=y(_.distr!=2||l!=null?h[n]:n,_,C,x),a=b(K(r,ae),v,w,S),o=T(i-M),s=T(ar(a,oe)),c=T(ir(a,oe)),u=s-c;if(r!=null){let i=r<0?ve:_e,a=r<0?_e:ve;ce?(F>0&&ue[n]!=null&&te(L.get(ue[n]),o,c+tr(F/2),N,ar(0,u-F),i,a),le[n]!=null&&te(I.get(le[n]),o,c+tr(F/2),N,ar(0,u-F),i,a)):te(ge,o,c+tr(F/2),N,ar(0,u-F),i,a),ne(e,t,n,o-F/2,c,N+F,u)}}return F>0?he.stroke=ce?L:ge:ce||(he._fill=m.width==0?m._fill:m._stroke??m._fill,he.width=0),he.fill=ce?I:ge,he})}function to(e,t){let n=K(t?.alignGaps,0);return(t,r,i,a)=>Oa(t,r,(o,s,c,l,u,d,f,p,m,h,g)=>{[i,a]=Rn(c,i,a);let _=o.pxRound,v=e=>_(d(e,l,h,p)),y=e=>_(f(e,u,g,m)),b,x,S;l.ori==0?(b=La,S=za,x=Ga):(b=Ra,S=Ba,x=Ka);let C=l.dir*(l.ori==0?1:-1),w=v(s[C==1?i:a]),T=w,E=[],D=[];for(let e=C==1?i:a;e>=i&&e<=a;e+=C)if(c[e]!=null){let t=v(s[e]);E.push(T=t),D.push(y(c[e]))}let O={stroke:e(E,D,b,S,x,_),fill:null,clip:null,band:null,gaps:null,flags:Ea},k=O.stroke,[A,j]=ka(t,r);if(o.fill!=null||A!=0){let e=O.fill=new Path2D(k),n=y(o.fillTo(t,r,o.min,o.max,A));S(e,T,n),S(e,w,n)}if(!o.spanGaps){let e=[];e.push(...Pa(s,c,i,a,C,v,n)),O.gaps=e=o.gaps(t,r,i,a,e),O.clip=Ma(e,l.ori,p,m,h,g)}return j!=0&&(O.band=j==2?[ja(t,r,i,a,k,-1),ja(t,r,i,a,k,1)]:ja(t,r,i,a,k,j)),O})}function no(e){return to(ro,e)}function ro(e,t,n,r,i,a){let o=e.length;if(o<2)return null;let s=new Path2D;if(n(s,e[0],t[0]),o==2)r(s,e[1],t[1]);else{let n=Array(o),r=Array(o-1),a=Array(o-1),c=Array(o-1);for(let n=0;n<o-1;n++)a[n]=t[n+1]-t[n],c[n]=e[n+1]-e[n],r[n]=a[n]/c[n];n[0]=r[0];for(let e=1;e<o-1;e++)r[e]===0||r[e-1]===0||r[e-1]>0!=r[e]>0?n[e]=0:(n[e]=3*(c[e-1]+c[e])/((2*c[e]+c[e-1])/r[e-1]+(c[e]+2*c[e-1])/r[e]),isFinite(n[e])||(n[e]=0));n[o-1]=r[o-2];for(let r=0;r<o-1;r++)i(s,e[r]+c[r]/3,t[r]+n[r]*c[r]/3,e[r+1]-c[r]/3,t[r+1]-n[r+1]*c[r]/3,e[r+1],t[r+1])}return s}var io=new Set;function ao(){for(let e of io)e.syncRect(!0)}mn&&(Mn(ln,gn,ao),Mn(un,gn,ao,!0),Mn(fn,gn,()=>{So.pxRatio=W}));var oo=Za(),so=qa();function co(e,t,n,r){return(r?[e[0],e[1]].concat(e.slice(2)):[e[0]].concat(e.slice(1))).map((e,r)=>uo(e,r,t,n))}function lo(e,t){return e.map((e,n)=>n==0?{}:Rr({},t,e))}function uo(e,t,n,r){return Rr({},t==0?n:r,e)}function fo(e,t,n){return t==null?Or:[t,n]}var po=fo;function mo(e,t,n){return t==null?Or:qn(t,n,Un,!0)}function ho(e,t,n,r){return t==null?Or:Vn(t,n,e.scales[r].log,!1)}var go=ho;function _o(e,t,n,r){return t==null?Or:Hn(t,n,e.scales[r].log,!1)}var vo=_o;function yo(e,t,n,r,i){let a=ar(J(e),J(t)),o=t-e,s=Pn(i/r*o,n);do{let e=n[s],t=r*e/o;if(t>=i&&a+(e<5?Cr.get(e):0)<=17)return[e,t]}while(++s<n.length);return[0,0]}function bo(e){let t,n;return e=e.replace(/(\d+)px/,(e,r)=>(t=nr((n=+r)*W))+`px`),[e,t,n]}function xo(e){e.show&&[e.font,e.labelFont].forEach(e=>{let t=Q(e[2]*W,1);e[0]=e[0].replace(/[0-9.]+px/,t+`px`),e[1]=t})}function So(e,t,n){let r={mode:K(e.mode,1)},i=r.mode;function a(e,t,n,r){let i=t.valToPct(e);return r+n*(t.dir==-1?1-i:i)}function o(e,t,n,r){let i=t.valToPct(e);return r+n*(t.dir==-1?i:1-i)}function s(e,t,n,r){return t.ori==0?a(e,t,n,r):o(e,t,n,r)}r.valToPosH=a,r.valToPosV=o;let c=!1;r.status=0;let l=r.root=Cn(Ot);if(e.id!=null&&(l.id=e.id),bn(l,e.class),e.title){let t=Cn(jt,l);t.textContent=e.title}let u=Sn(`canvas`),d=r.ctx=u.getContext(`2d`),f=Cn(Mt,l);Mn(`click`,f,e=>{e.target===m&&(q!=Zn||J!=Qn)&&hr.click(r,e)},!0);let p=r.under=Cn(Nt,f);f.appendChild(u);let m=r.over=Cn(Pt,f);e=Lr(e);let h=+K(e.pxAlign,1),g=Fa(h);(e.plugins||[]).forEach(t=>{t.opts&&(e=t.opts(r,e)||e)});let _=e.ms||.001,v=r.series=i==1?co(e.series||[],ta,ba,!1):lo(e.series||[null],ya),y=r.axes=co(e.axes||[],Qi,ma,!0),b=r.scales={},x=r.bands=e.bands||[];x.forEach(e=>{e.fill=Y(e.fill||null),e.dir=K(e.dir,-1)});let S=i==2?v[1].facets[0].scale:v[0].scale,C={axes:yn,series:wt},w=(e.drawOrder||[`axes`,`series`]).map(e=>C[e]);function T(e){let t=e.distr==3?t=>cr(t>0?t:e.clamp(r,t,e.min,e.max,e.key)):e.distr==4?t=>ur(t,e.asinh):e.distr==100?t=>e.fwd(t):e=>e;return n=>{let r=t(n),{_min:i,_max:a}=e,o=a-i;return(r-i)/o}}function E(t){let n=b[t];if(n==null){let r=(e.scales||Er)[t]||Er;if(r.from!=null){E(r.from);let e=Rr({},b[r.from],r,{key:t});e.valToPct=T(e),b[t]=e}else{n=b[t]=Rr({},t==S?Sa:Ca,r),n.key=t;let e=n.time,a=n.range,o=kr(a);if((t!=S||i==2&&!e)&&(o&&(a[0]==null||a[1]==null)&&(a={min:a[0]==null?Wn:{mode:1,hard:a[0],soft:a[0]},max:a[1]==null?Wn:{mode:1,hard:a[1],soft:a[1]}},o=!1),!o&&Nr(a))){let e=a;a=(t,n,r)=>n==null?Or:qn(n,r,e)}n.range=Y(a||(e?po:t==S?n.distr==3?go:n.distr==4?vo:fo:n.distr==3?ho:n.distr==4?_o:mo)),n.auto=Y(!o&&n.auto),n.clamp=Y(n.clamp||xa),n._min=n._max=null,n.valToPct=T(n)}}}E(`x`),E(`y`),i==1&&v.forEach(e=>{E(e.scale)}),y.forEach(e=>{E(e.scale)});for(let t in e.scales)E(t);let D=b[S],O=D.distr,k,A;D.ori==0?(bn(l,kt),k=a,A=o):(bn(l,At),k=o,A=a);let j={};for(let e in b){let t=b[e];(t.min!=null||t.max!=null)&&(j[e]={min:t.min,max:t.max},t.min=t.max=null)}let ee=e.tzDate||(e=>new Date(nr(e/_))),te=e.fmtDate||ti,ne=_==1?Si(ee):Ti(ee),re=Di(ee,Ei(_==1?xi:wi,te)),ie=Mi(ee,Ai(ji,te)),ae=[],oe=r.legend=Rr({},Fi,e.legend),M=r.cursor=Rr({},Wi,{drag:{y:i==2}},e.cursor),N=oe.show,se=M.show,P=oe.markers;oe.idxs=ae,P.width=Y(P.width),P.dash=Y(P.dash),P.stroke=Y(P.stroke),P.fill=Y(P.fill);let F,ce,le,I=[],ue=[],L,de=!1,fe={};if(oe.live){let e=v[1]?v[1].values:null;de=e!=null,L=de?e(r,1,0):{_:0};for(let e in L)fe[e]=pn}if(N){if(F=Sn(`table`,Vt,l),le=Sn(`tbody`,null,F),oe.mount(r,F),de){ce=Sn(`thead`,null,F,le);let e=Sn(`tr`,null,ce);for(var pe in Sn(`th`,null,e),L)Sn(`th`,Kt,e).textContent=pe}else bn(F,Ut),oe.live&&bn(F,Ht)}let me={show:!0},he={show:!1};function ge(e,t){if(t==0&&(de||!oe.live||i==2))return Or;let n=[],a=Sn(`tr`,Wt,le,le.childNodes[t]);bn(a,e.class),e.show||bn(a,It);let o=Sn(`th`,null,a);if(P.show){let e=Cn(Gt,o);if(t>0){let n=P.width(r,t);n&&(e.style.border=n+`px `+P.dash(r,t)+` `+P.stroke(r,t)),e.style.background=P.fill(r,t)}}let s=Cn(Kt,o);for(var c in e.label instanceof HTMLElement?s.appendChild(e.label):s.textContent=e.label,t>0&&(P.show||(s.style.color=e.width>0?P.stroke(r,t):P.fill(r,t)),_e(`click`,o,t=>{if(M._lock)return;H(t);let n=v.indexOf(e);if((t.ctrlKey||t.metaKey)!=oe.isolate){let e=v.some((e,t)=>t>0&&t!=n&&e.show);v.forEach((t,r)=>{r>0&&Ir(r,e?r==n?me:he:me,!0,Pi.setSeries)})}else Ir(n,{show:!e.show},!0,Pi.setSeries)},!1),Ue&&_e(on,o,t=>{M._lock||(H(t),Ir(v.indexOf(e),Wr,!0,Pi.setSeries))},!1)),L){let e=Sn(`td`,qt,a);e.textContent=`--`,n.push(e)}return[a,n]}let R=new Map;function _e(e,t,n,i=!0){let a=R.get(t)||{},o=M.bind[e](r,t,n,i);o&&(Mn(e,t,a[e]=o),R.set(t,a))}function ve(e,t,n){let r=R.get(t)||{};for(let n in r)(e==null||n==e)&&(Nn(n,t,r[n]),delete r[n]);e??R.delete(t)}let ye=0,be=0,z=0,B=0,xe=0,V=0,Se=xe,Ce=V,we=z,Te=B,Ee=0,De=0,Oe=0,ke=0;r.bbox={};let Ae=!1,je=!1,Me=!1,Ne=!1,Pe=!1,Fe=!1;function Ie(e,t,n){(n||e!=r.width||t!=r.height)&&Le(e,t),wn(!1),Me=!0,je=!0,Fn()}function Le(e,t){r.width=ye=z=e,r.height=be=B=t,xe=V=0,ze(),Be();let n=r.bbox;Ee=n.left=xr(xe*W,.5),De=n.top=xr(V*W,.5),Oe=n.width=xr(z*W,.5),ke=n.height=xr(B*W,.5)}function Re(){let e=!1,t=0;for(;!e;){t++;let n=_n(t),i=vn(t);e=t==3||n&&i,e||(Le(r.width,r.height),je=!0)}}r.setSize=function({width:e,height:t}){Ie(e,t)};function ze(){let e=!1,t=!1,n=!1,r=!1;y.forEach((i,a)=>{if(i.show&&i._show){let{side:a,_size:o}=i,s=a%2,c=o+(i.label==null?0:i.labelSize);c>0&&(s?(z-=c,a==3?(xe+=c,r=!0):n=!0):(B-=c,a==0?(V+=c,e=!0):t=!0))}}),Xe[0]=e,Xe[1]=n,Xe[2]=t,Xe[3]=r,z-=et[1]+et[3],xe+=et[3],B-=et[2]+et[0],V+=et[0]}function Be(){let e=xe+z,t=V+B,n=xe,r=V;function i(i,a){switch(i){case 1:return e+=a,e-a;case 2:return t+=a,t-a;case 3:return n-=a,n+a;case 0:return r-=a,r+a}}y.forEach((e,t)=>{if(e.show&&e._show){let t=e.side;e._pos=i(t,e._size),e.label!=null&&(e._lpos=i(t,e.labelSize))}})}if(M.dataIdx==null){let e=M.hover,n=e.skip=new Set(e.skip??[]);n.add(void 0);let r=e.prox=Y(e.prox),i=e.bias??=0;M.dataIdx=(e,a,o,s)=>{if(a==0)return o;let c=o,l=r(e,a,o,s)??dr,u=l>=0&&l<dr,d=D.ori==0?z:B,f=M.left,p=t[0],m=t[a];if(n.has(m[o])){c=null;let e=null,t=null,r;if(i==0||i==-1)for(r=o;e==null&&r-->0;)n.has(m[r])||(e=r);if(i==0||i==1)for(r=o;t==null&&r++<m.length;)n.has(m[r])||(t=r);if(e!=null||t!=null){if(u){let n=e==null?-1/0:k(p[e],D,d,0),r=t==null?1/0:k(p[t],D,d,0),i=f-n,a=r-f;i<=a?i<=l&&(c=e):a<=l&&(c=t)}else c=t==null?e:e==null?t:o-e<=t-o?e:t}}else u&&er(f-k(p[o],D,d,0))>l&&(c=null);return c}}let H=e=>{M.event=e};M.idxs=ae,M._lock=!1;let Ve=M.points;Ve.show=Y(Ve.show),Ve.size=Y(Ve.size),Ve.stroke=Y(Ve.stroke),Ve.width=Y(Ve.width),Ve.fill=Y(Ve.fill);let He=r.focus=Rr({},e.focus||{alpha:.3},M.focus),Ue=He.prox>=0,We=Ue&&Ve.one,Ge=[],Ke=[],qe=[];function Je(e,t){let n=Ve.show(r,t);if(n instanceof HTMLElement)return bn(n,Bt),bn(n,e.class),Tn(n,-10,-10,z,B),m.insertBefore(n,Ge[t]),n}function Ye(e,t){if(i==1||t>0){let t=i==1&&b[e.scale].time,n=e.value;e.value=t?Mr(n)?Mi(ee,Ai(n,te)):n||ie:n||pa,e.label=e.label||(t?ea:$i)}if(We||t>0){e.width=e.width==null?1:e.width,e.paths=e.paths||oo||_r,e.fillTo=Y(e.fillTo||Aa),e.pxAlign=+K(e.pxAlign,h),e.pxRound=Fa(e.pxAlign),e.stroke=Y(e.stroke||null),e.fill=Y(e.fill||null),e._stroke=e._fill=e._paths=e._focus=null;let t=ha(ar(1,e.width),1),n=e.points=Rr({},{size:t,width:ar(1,t*.2),stroke:e.stroke,space:t*2,paths:so,_stroke:null,_fill:null},e.points);n.show=Y(n.show),n.filter=Y(n.filter),n.fill=Y(n.fill),n.stroke=Y(n.stroke),n.paths=Y(n.paths),n.pxAlign=e.pxAlign}if(N){let n=ge(e,t);I.splice(t,0,n[0]),ue.splice(t,0,n[1]),oe.values.push(null)}if(se){ae.splice(t,0,null);let n=null;We?t==0&&(n=Je(e,t)):t>0&&(n=Je(e,t)),Ge.splice(t,0,n),Ke.splice(t,0,0),qe.splice(t,0,0)}ki(`addSeries`,t)}r.addSeries=function(e,t){t??=v.length,e=i==1?uo(e,t,ta,ba):uo(e,t,{},ya),v.splice(t,0,e),Ye(v[t],t)},r.delSeries=function(e){if(v.splice(e,1),N){oe.values.splice(e,1),ue.splice(e,1);let t=I.splice(e,1)[0];ve(null,t.firstChild),t.remove()}se&&(ae.splice(e,1),Ge.splice(e,1)[0].remove(),Ke.splice(e,1),qe.splice(e,1)),ki(`delSeries`,e)};let Xe=[!1,!1,!1,!1];function Ze(e,t){if(e._show=e.show,e.show){let n=e.side%2,i=b[e.scale];i??=(e.scale=n?v[1].scale:S,b[e.scale]);let a=i.time;e.size=Y(e.size),e.space=Y(e.space),e.rotate=Y(e.rotate),kr(e.incrs)&&e.incrs.forEach(e=>{!Cr.has(e)&&Cr.set(e,wr(e))}),e.incrs=Y(e.incrs||(i.distr==2?si:a?_==1?bi:Ci:ci)),e.splits=Y(e.splits||(a&&i.distr==1?ne:i.distr==3?ia:i.distr==4?aa:ra)),e.stroke=Y(e.stroke),e.grid.stroke=Y(e.grid.stroke),e.ticks.stroke=Y(e.ticks.stroke),e.border.stroke=Y(e.border.stroke);let o=e.values;e.values=kr(o)&&!kr(o[0])?Y(o):a?kr(o)?Di(ee,Ei(o,te)):Mr(o)?Oi(ee,o):o||re:o||na,e.filter=Y(e.filter||(i.distr>=3&&i.log==10?da:i.distr==3&&i.log==2?fa:gr)),e.font=bo(e.font),e.labelFont=bo(e.labelFont),e._size=e.size(r,null,t,0),e._space=e._rotate=e._incrs=e._found=e._splits=e._values=null,e._size>0&&(Xe[t]=!0,e._el=Cn(Ft,f))}}function Qe(e,t,n,r){let[i,a,o,s]=n,c=t%2,l=0;return c==0&&(s||a)&&(l=t==0&&!i||t==2&&!o?nr(Qi.size/3):0),c==1&&(i||o)&&(l=t==1&&!a||t==3&&!s?nr(ma.size/2):0),l}let $e=r.padding=(e.padding||[Qe,Qe,Qe,Qe]).map(e=>Y(K(e,Qe))),et=r._padding=$e.map((e,t)=>e(r,t,Xe,0)),U,tt=null,nt=null,rt=i==1?v[0].idxs:null,it=null,at=!1;function ot(e,n){if(t=e??[],r.data=r._data=t,i==2){U=0;for(let e=1;e<v.length;e++)U+=t[e][0].length}else{t.length==0&&(r.data=r._data=t=[[]]),it=t[0],U=it.length;let e=t;if(O==2){e=t.slice();let n=e[0]=Array(U);for(let e=0;e<U;e++)n[e]=e}r._data=t=e}if(wn(!0),ki(`setData`),O==2&&(Me=!0),n!==!1){let e=D;e.auto(r,at)?st():Fr(S,e.min,e.max),Ne||=M.left>=0,Fe=!0,Fn()}}r.setData=ot;function st(){at=!0;let e,n;i==1&&(U>0?(tt=rt[0]=0,nt=rt[1]=U-1,e=t[0][tt],n=t[0][nt],O==2?(e=tt,n=nt):e==n&&(O==3?[e,n]=Vn(e,e,D.log,!1):O==4?[e,n]=Hn(e,e,D.log,!1):D.time?n=e+nr(86400/_):[e,n]=qn(e,n,Un,!0))):(tt=rt[0]=e=null,nt=rt[1]=n=null)),Fr(S,e,n)}let ct,lt,ut,dt,ft,pt,mt,ht,gt,_t;function vt(e,t,n,r,i,a){e??=tn,n??=Dr,r??=`butt`,i??=tn,a??=`round`,e!=ct&&(d.strokeStyle=ct=e),i!=lt&&(d.fillStyle=lt=i),t!=ut&&(d.lineWidth=ut=t),a!=ft&&(d.lineJoin=ft=a),r!=pt&&(d.lineCap=pt=r),n!=dt&&d.setLineDash(dt=n)}function yt(e,t,n,r){t!=lt&&(d.fillStyle=lt=t),e!=mt&&(d.font=mt=e),n!=ht&&(d.textAlign=ht=n),r!=gt&&(d.textBaseline=gt=r)}function bt(e,t,n,i,a=0){if(i.length>0&&e.auto(r,at)&&(t==null||t.min==null)){let t=K(tt,0),r=K(nt,i.length-1),o=n.min==null?Bn(i,t,r,a,e.distr==3):[n.min,n.max];e.min=ir(e.min,n.min=o[0]),e.max=ar(e.max,n.max=o[1])}}let xt={min:null,max:null};function St(){for(let e in b){let t=b[e];j[e]==null&&(t.min==null||j[S]!=null&&t.auto(r,at))&&(j[e]=xt)}for(let e in b){let t=b[e];j[e]==null&&t.from!=null&&j[t.from]!=null&&(j[e]=xt)}j[S]!=null&&wn(!0);let e={};for(let t in j){let n=j[t];if(n!=null){let a=e[t]=Lr(b[t],Pr);if(n.min!=null)Rr(a,n);else if(t!=S||i==2){if(U==0&&a.from==null){let e=a.range(r,null,null,t);a.min=e[0],a.max=e[1]}else a.min=dr,a.max=-1/0}}}if(U>0){v.forEach((n,a)=>{if(i==1){let i=n.scale,o=j[i];if(o==null)return;let s=e[i];if(a==0){let e=s.range(r,s.min,s.max,i);s.min=e[0],s.max=e[1],tt=Pn(s.min,t[0]),nt=Pn(s.max,t[0]),nt-tt>1&&(t[0][tt]<s.min&&tt++,t[0][nt]>s.max&&nt--),n.min=it[tt],n.max=it[nt]}else n.show&&n.auto&&bt(s,o,n,t[a],n.sorted);n.idxs[0]=tt,n.idxs[1]=nt}else if(a>0&&n.show&&n.auto){let[r,i]=n.facets,o=r.scale,s=i.scale,[c,l]=t[a],u=e[o],d=e[s];u!=null&&bt(u,j[o],r,c,r.sorted),d!=null&&bt(d,j[s],i,l,i.sorted),n.min=i.min,n.max=i.max}});for(let t in e){let n=e[t],i=j[t];if(n.from==null&&(i==null||i.min==null)){let e=n.range(r,n.min==dr?null:n.min,n.max==-1/0?null:n.max,t);n.min=e[0],n.max=e[1]}}}for(let t in e){let n=e[t];if(n.from!=null){let i=e[n.from];if(i.min==null)n.min=n.max=null;else{let e=n.range(r,i.min,i.max,t);n.min=e[0],n.max=e[1]}}}let n={},a=!1;for(let t in e){let r=e[t],i=b[t];if(i.min!=r.min||i.max!=r.max){i.min=r.min,i.max=r.max;let e=i.distr;i._min=e==3?cr(i.min):e==4?ur(i.min,i.asinh):e==100?i.fwd(i.min):i.min,i._max=e==3?cr(i.max):e==4?ur(i.max,i.asinh):e==100?i.fwd(i.max):i.max,n[t]=a=!0}}if(a){v.forEach((e,t)=>{i==2?t>0&&n.y&&(e._paths=null):n[e.scale]&&(e._paths=null)});for(let e in n)Me=!0,ki(`setScale`,e);se&&M.left>=0&&(Ne=Fe=!0)}for(let e in j)j[e]=null}function Ct(e){let t=fr(tt-1,0,U-1),n=fr(nt+1,0,U-1);for(;e[t]==null&&t>0;)t--;for(;e[n]==null&&n<U-1;)n++;return[t,n]}function wt(){if(U>0){let e=v.some(e=>e._focus)&&_t!=He.alpha;e&&(d.globalAlpha=_t=He.alpha),v.forEach((e,n)=>{if(n>0&&e.show&&(Tt(n,!1),Tt(n,!0),e._paths==null)){let a=_t;_t!=e.alpha&&(d.globalAlpha=_t=e.alpha);let o=i==2?[0,t[n][0].length-1]:Ct(t[n]);e._paths=e.paths(r,n,o[0],o[1]),_t!=a&&(d.globalAlpha=_t=a)}}),v.forEach((e,t)=>{if(t>0&&e.show){let n=_t;_t!=e.alpha&&(d.globalAlpha=_t=e.alpha),e._paths!=null&&Et(t,!1);{let n=e._paths==null?null:e._paths.gaps,i=e.points.show(r,t,tt,nt,n),a=e.points.filter(r,t,i,n);(i||a)&&(e.points._paths=e.points.paths(r,t,tt,nt,a),Et(t,!0))}_t!=n&&(d.globalAlpha=_t=n),ki(`drawSeries`,t)}}),e&&(d.globalAlpha=_t=1)}}function Tt(e,t){let n=t?v[e].points:v[e];n._stroke=n.stroke(r,e),n._fill=n.fill(r,e)}function Et(e,t){let n=t?v[e].points:v[e],{stroke:r,fill:i,clip:a,flags:o,_stroke:s=n._stroke,_fill:c=n._fill,_width:l=n.width}=n._paths;l=Q(l*W,3);let u=null,f=l%2/2;t&&c==null&&(c=l>0?`#fff`:s);let p=n.pxAlign==1&&f>0;if(p&&d.translate(f,f),!t){let e=Ee-l/2,t=De-l/2,n=Oe+l,r=ke+l;u=new Path2D,u.rect(e,t,n,r)}t?en(s,l,n.dash,n.cap,c,r,i,o,a):Dt(e,s,l,n.dash,n.cap,c,r,i,o,u,a),p&&d.translate(-f,-f)}function Dt(e,n,i,a,o,s,c,l,u,d,f){let p=!1;u!=0&&x.forEach((m,h)=>{if(m.series[0]==e){let e=v[m.series[1]],g=t[m.series[1]],_=(e._paths||Er).band;kr(_)&&(_=m.dir==1?_[0]:_[1]);let y,b=null;e.show&&_&&Jn(g,tt,nt)?(b=m.fill(r,h)||s,y=e._paths.clip):_=null,en(n,i,a,o,b,c,l,u,d,f,y,_),p=!0}}),p||en(n,i,a,o,s,c,l,u,d,f)}function en(e,t,n,r,i,a,o,s,c,l,u,f){vt(e,t,n,r,i),(c||l||f)&&(d.save(),c&&d.clip(c),l&&d.clip(l)),f?(s&3)==3?(d.clip(f),u&&d.clip(u),un(i,o),ln(e,a,t)):s&Da?(un(i,o),d.clip(f),ln(e,a,t)):s&Ea&&(d.save(),d.clip(f),u&&d.clip(u),un(i,o),d.restore(),ln(e,a,t)):(un(i,o),ln(e,a,t)),(c||l||f)&&d.restore()}function ln(e,t,n){n>0&&(t instanceof Map?t.forEach((e,t)=>{d.strokeStyle=ct=t,d.stroke(e)}):t!=null&&e&&d.stroke(t))}function un(e,t){t instanceof Map?t.forEach((e,t)=>{d.fillStyle=lt=t,d.fill(e)}):t!=null&&e&&d.fill(t)}function dn(e,t,n,i){let a=y[e],o;if(i<=0)o=[0,0];else{let s=a._space=a.space(r,e,t,n,i);o=yo(t,n,a._incrs=a.incrs(r,e,t,n,i,s),i,s)}return a._found=o}function mn(e,t,n,r,i,a,o,s,c,l){let u=o%2/2;h==1&&d.translate(u,u),vt(s,o,c,l,s),d.beginPath();let f,p,m,g,_=i+(r==0||r==3?-a:a);n==0?(p=i,g=_):(f=i,m=_);for(let r=0;r<e.length;r++)t[r]!=null&&(n==0?f=m=e[r]:p=g=e[r],d.moveTo(f,p),d.lineTo(m,g));d.stroke(),h==1&&d.translate(-u,-u)}function _n(e){let t=!0;return y.forEach((n,i)=>{if(!n.show)return;let a=b[n.scale];if(a.min==null){n._show&&(t=!1,n._show=!1,wn(!1));return}n._show||(t=!1,n._show=!0,wn(!1));let o=n.side,s=o%2,{min:c,max:l}=a,[u,d]=dn(i,c,l,s==0?z:B);if(d==0)return;let f=a.distr==2,p=n._splits=n.splits(r,i,c,l,u,d,f),m=a.distr==2?p.map(e=>it[e]):p,h=a.distr==2?it[p[1]]-it[p[0]]:u,g=n._values=n.values(r,n.filter(r,m,i,d,h),i,d,h);n._rotate=o==2?n.rotate(r,g,i,d):0;let _=n._size;n._size=rr(n.size(r,g,i,e)),_!=null&&n._size!=_&&(t=!1)}),t}function vn(e){let t=!0;return $e.forEach((n,i)=>{let a=n(r,i,Xe,e);a!=et[i]&&(t=!1),et[i]=a}),t}function yn(){for(let e=0;e<y.length;e++){let t=y[e];if(!t.show||!t._show)continue;let n=t.side,i=n%2,a,o,c=t.stroke(r,e),l=n==0||n==3?-1:1,[u,f]=t._found;if(t.label!=null){let s=t.labelGap*l,p=nr((t._lpos+s)*W);yt(t.labelFont[0],c,`center`,n==2?Xt:Zt),d.save(),i==1?(a=o=0,d.translate(p,nr(De+ke/2)),d.rotate((n==3?-$n:$n)/2)):(a=nr(Ee+Oe/2),o=p);let m=pr(t.label)?t.label(r,e,u,f):t.label;d.fillText(m,a,o),d.restore()}if(f==0)continue;let p=b[t.scale],m=i==0?Oe:ke,h=i==0?Ee:De,_=t._splits,v=p.distr==2?_.map(e=>it[e]):_,x=p.distr==2?it[_[1]]-it[_[0]]:u,S=t.ticks,C=t.border,w=S.show?S.size:0,T=nr(w*W),E=nr((t.alignTo==2?t._size-w-t.gap:t.gap)*W),D=t._rotate*-$n/180,O=g(t._pos*W),k=O+(T+E)*l;o=i==0?k:0,a=i==1?k:0,yt(t.font[0],c,t.align==1?Qt:t.align==2?$t:D>0?Qt:D<0?$t:i==0?`center`:n==3?$t:Qt,D||i==1?`middle`:n==2?Xt:Zt);let A=t.font[1]*t.lineGap,j=_.map(e=>g(s(e,p,m,h))),ee=t._values;for(let e=0;e<ee.length;e++){let t=ee[e];if(t!=null){i==0?a=j[e]:o=j[e],t=``+t;let n=t.indexOf(`
`)==-1?[t]:t.split(/\n/gm);for(let e=0;e<n.length;e++){let t=n[e];D?(d.save(),d.translate(a,o+e*A),d.rotate(D),d.fillText(t,0,0),d.restore()):d.fillText(t,a,o+e*A)}}}S.show&&mn(j,S.filter(r,v,e,f,x),i,n,O,T,Q(S.width*W,3),S.stroke(r,e),S.dash,S.cap);let te=t.grid;te.show&&mn(j,te.filter(r,v,e,f,x),i,i==0?2:1,i==0?De:Ee,i==0?ke:Oe,Q(te.width*W,3),te.stroke(r,e),te.dash,te.cap),C.show&&mn([O],[1],+(i==0),i==0?1:2,i==1?De:Ee,i==1?ke:Oe,Q(C.width*W,3),C.stroke(r,e),C.dash,C.cap)}ki(`drawAxes`)}function wn(e){v.forEach((t,n)=>{n>0&&(t._paths=null,e&&(i==1?(t.min=null,t.max=null):t.facets.forEach(e=>{e.min=null,e.max=null})))})}let En=!1,On=!1,An=[];function jn(){On=!1;for(let e=0;e<An.length;e++)ki(...An[e]);An.length=0}function Fn(){En||=(Ur(In),!0)}r.batch=function(e,t=!1){En=!0,On=t,e(r),In(),t&&An.length>0&&queueMicrotask(jn)};function In(){if(Ae&&=(St(),!1),Me&&=(Re(),!1),je){if(G(p,Qt,xe),G(p,Xt,V),G(p,Jt,z),G(p,Yt,B),G(m,Qt,xe),G(m,Xt,V),G(m,Jt,z),G(m,Yt,B),G(f,Jt,ye),G(f,Yt,be),u.width=nr(ye*W),u.height=nr(be*W),y.forEach(({_el:e,_show:t,_size:n,_pos:r,side:i})=>{if(e!=null){if(t){let t=i===3||i===0?n:0,a=i%2==1;G(e,a?`left`:`top`,r-t),G(e,a?`width`:`height`,n),G(e,a?`top`:`left`,a?V:xe),G(e,a?`height`:`width`,a?B:z),xn(e,It)}else bn(e,It)}}),ct=lt=ut=ft=pt=mt=ht=gt=dt=null,_t=1,ri(!0),xe!=Se||V!=Ce||z!=we||B!=Te){wn(!1);let e=z/we,t=B/Te;if(se&&!Ne&&M.left>=0){M.left*=e,M.top*=t,Gn&&Tn(Gn,nr(M.left),0,z,B),Kn&&Tn(Kn,0,nr(M.top),z,B);for(let n=0;n<Ge.length;n++){let r=Ge[n];r!=null&&(Ke[n]*=e,qe[n]*=t,Tn(r,rr(Ke[n]),rr(qe[n]),z,B))}}if(Z.show&&!Pe&&Z.left>=0&&Z.width>0){Z.left*=e,Z.width*=e,Z.top*=t,Z.height*=t;for(let e in oi)G(Sr,e,Z[e])}Se=xe,Ce=V,we=z,Te=B}ki(`setSize`),je=!1}ye>0&&be>0&&(d.clearRect(0,0,u.width,u.height),ki(`drawClear`),w.forEach(e=>e()),ki(`draw`)),Z.show&&Pe&&(Tr(Z),Pe=!1),se&&Ne&&(ei(null,!0,!1),Ne=!1),oe.show&&oe.live&&Fe&&(Qr(),Fe=!1),c||(c=!0,r.status=1,ki(`ready`)),at=!1,En=!1}r.redraw=(e,t)=>{Me=t||!1,e===!1?Fn():Fr(S,D.min,D.max)};function Ln(e,n){let i=b[e];if(i.from==null){if(U==0){let t=i.range(r,n.min,n.max,e);n.min=t[0],n.max=t[1]}if(n.min>n.max){let e=n.min;n.min=n.max,n.max=e}if(U>1&&n.min!=null&&n.max!=null&&n.max-n.min<1e-16)return;e==S&&i.distr==2&&U>0&&(n.min=Pn(n.min,t[0]),n.max=Pn(n.max,t[0]),n.min==n.max&&n.max++),j[e]=n,Ae=!0,Fn()}}r.setScale=Ln;let Rn,zn,Gn,Kn,Yn,Xn,Zn,Qn,tr,sr,q,J,mr=!1,hr=M.drag,br=hr.x,X=hr.y;se&&(M.x&&(Rn=Cn(Rt,m)),M.y&&(zn=Cn(zt,m)),D.ori==0?(Gn=Rn,Kn=zn):(Gn=zn,Kn=Rn),q=M.left,J=M.top);let Z=r.select=Rr({show:!0,over:!0,left:0,width:0,top:0,height:0},e.select),Sr=Z.show?Cn(Lt,Z.over?m:p):null;function Tr(e,t){if(Z.show){for(let t in e)Z[t]=e[t],t in oi&&G(Sr,t,e[t]);t!==!1&&ki(`setSelect`)}}r.setSelect=Tr;function Ar(e){if(v[e].show)N&&xn(I[e],It);else if(N&&bn(I[e],It),se){let t=We?Ge[0]:Ge[e];t!=null&&Tn(t,-10,-10,z,B)}}function Fr(e,t,n){Ln(e,{min:t,max:n})}function Ir(e,t,n,a){t.focus!=null&&Gr(e),t.show!=null&&v.forEach((n,r)=>{r>0&&(e==r||e==null)&&(n.show=t.show,Ar(r),i==2?(Fr(n.facets[0].scale,null,null),Fr(n.facets[1].scale,null,null)):Fr(n.scale,null,null),Fn())}),n!==!1&&ki(`setSeries`,e,t),a&&Ri(`setSeries`,r,e,t)}r.setSeries=Ir,r.addBand=function(e,t){e.fill=Y(e.fill||null),e.dir=K(e.dir,-1),t??=x.length,x.splice(t,0,e)},r.setBand=function(e,t){Rr(x[e],t)},r.delBand=function(e){e==null?x.length=0:x.splice(e,1)};function zr(e,t){v[e].alpha=t,se&&Ge[e]!=null&&(Ge[e].style.opacity=t),N&&I[e]&&(I[e].style.opacity=t)}let Br,Vr,Hr,Wr={focus:!0};function Gr(e){if(e!=Hr){let t=e==null,n=He.alpha!=1;v.forEach((r,a)=>{if(i==1||a>0){let i=t||a==0||a==e;r._focus=t?null:i,n&&zr(a,i?1:He.alpha)}}),Hr=e,n&&Fn()}}N&&Ue&&_e(sn,F,e=>{M._lock||(H(e),Hr!=null&&Ir(null,Wr,!0,Pi.setSeries))});function Kr(e,t,n){let r=b[t];n&&(e=e/W-(r.ori==1?V:xe));let i=z;r.ori==1&&(i=B,e=i-e),r.dir==-1&&(e=i-e);let a=r._min,o=r._max,s=e/i,c=a+(o-a)*s,l=r.distr;return l==3?or(10,c):l==4?lr(c,r.asinh):l==100?r.bwd(c):c}r.valToIdx=e=>Pn(e,t[0]),r.posToIdx=function(e,n){return Pn(Kr(e,S,n),t[0],tt,nt)},r.posToVal=Kr,r.valToPos=(e,t,n)=>b[t].ori==0?a(e,b[t],n?Oe:z,n?Ee:0):o(e,b[t],n?ke:B,n?De:0),r.setCursor=(e,t,n)=>{q=e.left,J=e.top,ei(null,t,n)};function qr(e,t){G(Sr,Qt,Z.left=e),G(Sr,Jt,Z.width=t)}function Jr(e,t){G(Sr,Xt,Z.top=e),G(Sr,Yt,Z.height=t)}let Yr=D.ori==0?qr:Jr,Xr=D.ori==1?qr:Jr;function Zr(){if(N&&oe.live)for(let e=+(i==2);e<v.length;e++){if(e==0&&de)continue;let t=oe.values[e],n=0;for(let r in t)ue[e][n++].firstChild.nodeValue=t[r]}}function Qr(e,t){if(e!=null&&(e.idxs?e.idxs.forEach((e,t)=>{ae[t]=e}):jr(e.idx)||ae.fill(e.idx),oe.idx=ae[0]),N&&oe.live){for(let e=0;e<v.length;e++)(e>0||i==1&&!de)&&$r(e,ae[e]);Zr()}Fe=!1,t!==!1&&ki(`setLegend`)}r.setLegend=Qr;function $r(e,n){let i=v[e],a=e==0&&O==2?it:t[e],o;de?o=i.values(r,e,n)??fe:(o=i.value(r,n==null?null:a[n],e,n),o=o==null?fe:{_:o}),oe.values[e]=o}function ei(e,n,a){tr=q,sr=J,[q,J]=M.move(r,q,J),M.left=q,M.top=J,se&&(Gn&&Tn(Gn,nr(q),0,z,B),Kn&&Tn(Kn,0,nr(J),z,B));let o,s=tt>nt;Br=dr,Vr=null;let c=D.ori==0?z:B,l=D.ori==1?z:B;if(q<0||U==0||s){o=M.idx=null;for(let e=0;e<v.length;e++){let t=Ge[e];t!=null&&Tn(t,-10,-10,z,B)}Ue&&Ir(null,Wr,!0,e==null&&Pi.setSeries),oe.live&&(ae.fill(o),Fe=!0)}else{let e,n,a;i==1&&(e=D.ori==0?q:J,n=Kr(e,S),o=M.idx=Pn(n,t[0],tt,nt),a=k(t[0][o],D,c,0));let s=-10,u=-10,d=0,f=0,p=!0,m=``,h=``;for(let e=+(i==2);e<v.length;e++){let g=v[e],_=ae[e],y=_==null?null:i==1?t[e][_]:t[e][1][_],x=M.dataIdx(r,e,o,n),S=x==null?null:i==1?t[e][x]:t[e][1][x];if(Fe=Fe||S!=y||x!=_,ae[e]=x,e>0&&g.show){let n=x==null?-10:x==o?a:k(i==1?t[0][x]:t[e][0][x],D,c,0),_=S==null?-10:A(S,i==1?b[g.scale]:b[g.facets[1].scale],l,0);if(Ue&&S!=null){let t=D.ori==1?q:J,n=er(He.dist(r,e,x,_,t));if(n<Br){let r=He.bias;if(r!=0){let i=Kr(t,g.scale),a=S>=0?1:-1,o=i>=0?1:-1;o==a&&(o==1?r==1?S>=i:S<=i:r==1?S<=i:S>=i)&&(Br=n,Vr=e)}else Br=n,Vr=e}}if(Fe||We){let t,i;D.ori==0?(t=n,i=_):(t=_,i=n);let a,o,c,l,g,v,y=!0,b=Ve.bbox;if(b!=null){y=!1;let t=b(r,e);c=t.left,l=t.top,a=t.width,o=t.height}else c=t,l=i,a=o=Ve.size(r,e);if(v=Ve.fill(r,e),g=Ve.stroke(r,e),We)e==Vr&&Br<=He.prox&&(s=c,u=l,d=a,f=o,p=y,m=v,h=g);else{let t=Ge[e];t!=null&&(Ke[e]=c,qe[e]=l,kn(t,a,o,y),Dn(t,v,g),Tn(t,rr(c),rr(l),z,B))}}}}if(We){let e=He.prox;if(Fe||(Hr==null?Br<=e:Br>e||Vr!=Hr)){let e=Ge[0];e!=null&&(Ke[0]=s,qe[0]=u,kn(e,d,f,p),Dn(e,m,h),Tn(e,rr(s),rr(u),z,B))}}}if(Z.show&&mr){if(e!=null){let[t,n]=Pi.scales,[r,i]=Pi.match,[a,o]=e.cursor.sync.scales,s=e.cursor.drag;if(br=s._x,X=s._y,br||X){let{left:s,top:u,width:d,height:f}=e.select,p=e.scales[a].ori,m=e.posToVal,h,g,_,v,y,x=t!=null&&r(t,a),S=n!=null&&i(n,o);x&&br?(p==0?(h=s,g=d):(h=u,g=f),_=b[t],v=k(m(h,a),_,c,0),y=k(m(h+g,a),_,c,0),Yr(ir(v,y),er(y-v))):Yr(0,c),S&&X?(p==1?(h=s,g=d):(h=u,g=f),_=b[n],v=A(m(h,o),_,l,0),y=A(m(h+g,o),_,l,0),Xr(ir(v,y),er(y-v))):Xr(0,l)}else li()}else{let e=er(tr-Yn),t=er(sr-Xn);if(D.ori==1){let n=e;e=t,t=n}br=hr.x&&e>=hr.dist,X=hr.y&&t>=hr.dist;let n=hr.uni;n==null?hr.x&&hr.y&&(br||X)&&(br=X=!0):br&&X&&(br=e>=n,X=t>=n,!br&&!X&&(t>e?X=!0:br=!0));let r,i;br&&(D.ori==0?(r=Zn,i=q):(r=Qn,i=J),Yr(ir(r,i),er(i-r)),X||Xr(0,l)),X&&(D.ori==1?(r=Zn,i=q):(r=Qn,i=J),Xr(ir(r,i),er(i-r)),br||Yr(0,c)),!br&&!X&&(Yr(0,0),Xr(0,0))}}if(hr._x=br,hr._y=X,e==null){if(a){if(Ii!=null){let[e,t]=Pi.scales;Pi.values[0]=e==null?null:Kr(D.ori==0?q:J,e),Pi.values[1]=t==null?null:Kr(D.ori==1?q:J,t)}Ri(nn,r,q,J,z,B,o)}if(Ue){let e=a&&Pi.setSeries,t=He.prox;Hr==null?Br<=t&&Ir(Vr,Wr,!0,e):Br>t?Ir(null,Wr,!0,e):Vr!=Hr&&Ir(Vr,Wr,!0,e)}}Fe&&(oe.idx=o,Qr()),n!==!1&&ki(`setCursor`)}let ni=null;Object.defineProperty(r,"rect",{get(){return ni??ri(!1),ni}});function ri(e=!1){e?ni=null:(ni=m.getBoundingClientRect(),ki(`syncRect`,ni))}function ii(e,t,n,r,i,a,o){M._lock||mr&&e!=null&&e.movementX==0&&e.movementY==0||(ai(e,t,n,r,i,a,o,!1,e!=null),e==null?ei(t,!0,!1):ei(null,!0,!0))}function ai(e,t,n,i,a,o,c,l,u){if(ni??ri(!1),H(e),e!=null)n=e.clientX-ni.left,i=e.clientY-ni.top;else{if(n<0||i<0){q=-10,J=-10;return}let[e,r]=Pi.scales,c=t.cursor.sync,[l,u]=c.values,[d,f]=c.scales,[p,m]=Pi.match,h=t.axes[0].side%2==1,g=D.ori==0?z:B,_=D.ori==1?z:B,v=h?o:a,y=h?a:o,x=h?i:n,S=h?n:i;if(n=d==null?x/v*g:p(e,d)?s(l,b[e],g,0):-10,i=f==null?S/y*_:m(r,f)?s(u,b[r],_,0):-10,D.ori==1){let e=n;n=i,i=e}}u&&(t==null||t.cursor.event.type==nn)&&((n<=1||n>=z-1)&&(n=xr(n,z)),(i<=1||i>=B-1)&&(i=xr(i,B))),l?(Yn=n,Xn=i,[Zn,Qn]=M.move(r,n,i)):(q=n,J=i)}let oi={width:0,height:0,left:0,top:0};function li(){Tr(oi,!1)}let ui,di,fi,pi;function mi(e,t,n,i,a,o,s){mr=!0,br=X=hr._x=hr._y=!1,ai(e,t,n,i,a,o,s,!0,!1),e!=null&&(_e(an,hn,hi,!1),Ri(rn,r,Zn,Qn,z,B,null));let{left:c,top:l,width:u,height:d}=Z;ui=c,di=l,fi=u,pi=d}function hi(e,t,n,i,a,o,s){mr=hr._x=hr._y=!1,ai(e,t,n,i,a,o,s,!1,!0);let{left:c,top:l,width:u,height:d}=Z,f=u>0||d>0,p=ui!=c||di!=l||fi!=u||pi!=d;if(f&&p&&Tr(Z),hr.setScale&&f&&p){let e=c,t=u,n=l,r=d;if(D.ori==1&&(e=l,t=d,n=c,r=u),br&&Fr(S,Kr(e,S),Kr(e+t,S)),X)for(let e in b){let t=b[e];e!=S&&t.from==null&&t.min!=dr&&Fr(e,Kr(n+r,e),Kr(n,e))}li()}else M.lock&&(M._lock=!M._lock,ei(t,!0,e!=null));e!=null&&(ve(an,hn),Ri(an,r,q,J,z,B,null))}function gi(e,t,n,r,i,a,o){if(M._lock)return;H(e);let s=mr;if(mr){let e=!0,t=!0,n,r;D.ori==0?(n=br,r=X):(n=X,r=br),n&&r&&(e=q<=10||q>=z-10,t=J<=10||J>=B-10),n&&e&&(q=q<Zn?0:z),r&&t&&(J=J<Qn?0:B),ei(null,!0,!0),mr=!1}q=-10,J=-10,ae.fill(null),ei(null,!0,!0),s&&(mr=s)}function _i(e,t,n,i,a,o,s){M._lock||(H(e),st(),li(),e!=null&&Ri(cn,r,q,J,z,B,null))}function vi(){y.forEach(xo),Ie(r.width,r.height,!0)}Mn(fn,gn,vi);let $={};$.mousedown=mi,$.mousemove=ii,$.mouseup=hi,$.dblclick=_i,$.setSeries=(e,t,n,i)=>{n=(0,Pi.match[2])(r,t,n),n!=-1&&Ir(n,i,!0,!1)},se&&(_e(rn,m,mi),_e(nn,m,ii),_e(on,m,e=>{H(e),ri(!1)}),_e(sn,m,gi),_e(cn,m,_i),io.add(r),r.syncRect=ri);let yi=r.hooks=e.hooks||{};function ki(e,t,n){On?An.push([e,t,n]):e in yi&&yi[e].forEach(e=>{e.call(null,r,t,n)})}(e.plugins||[]).forEach(e=>{for(let t in e.hooks)yi[t]=(yi[t]||[]).concat(e.hooks[t])});let Ni=(e,t,n)=>n,Pi=Rr({key:null,setSeries:!1,filters:{pub:vr,sub:vr},scales:[S,v[1]?v[1].scale:null],match:[yr,yr,Ni],values:[null,null]},M.sync);Pi.match.length==2&&Pi.match.push(Ni),M.sync=Pi;let Ii=Pi.key,Li=Ta(Ii);function Ri(e,t,n,r,i,a,o){Pi.filters.pub(e,t,n,r,i,a,o)&&Li.pub(e,t,n,r,i,a,o)}Li.sub(r),r.pub=function(e,t,n,r,i,a,o){Pi.filters.sub(e,t,n,r,i,a,o)&&$[e](null,t,n,r,i,a,o)},r.destroy=function(){Li.unsub(r),io.delete(r),R.clear(),Nn(fn,gn,vi),l.remove(),F?.remove(),ki(`destroy`)};function zi(){ki(`init`,e,t),ot(t||e.data,!1),j[S]?Ln(S,j[S]):st(),Pe=Z.show&&(Z.width>0||Z.height>0),Ne=Fe=!0,Ie(e.width,e.height)}return v.forEach(Ye),y.forEach(Ze),n?n instanceof HTMLElement?(n.appendChild(l),zi()):n(r,zi):zi(),r}So.assign=Rr,So.fmtNum=Zn,So.rangeNum=qn,So.rangeLog=Vn,So.rangeAsinh=Hn,So.orient=Oa,So.pxRatio=W,So.join=function(e,t){if(Gr(e)){let t=e[0].slice();for(let n=1;n<e.length;n++)t.push(...e[n].slice(1));return Kr(t[0])||(t=Wr(t)),t}let n=new Set;for(let t=0;t<e.length;t++){let r=e[t][0],i=r.length;for(let e=0;e<i;e++)n.add(r[e])}let r=[Array.from(n).sort((e,t)=>e-t)],i=r[0].length,a=new Map;for(let e=0;e<i;e++)a.set(r[0][e],e);for(let n=0;n<e.length;n++){let o=e[n],s=o[0];for(let e=1;e<o.length;e++){let c=o[e],l=Array(i).fill(void 0),u=t?t[n][e]:Br,d=[];for(let e=0;e<c.length;e++){let t=c[e],n=a.get(s[e]);t===null?u!=zr&&(l[n]=t,u==Vr&&d.push(n)):l[n]=t}Hr(l,d,i),r.push(l)}}return r},So.fmtDate=ti,So.tzDate=function(e,t){let n;return t==`UTC`||t==`Etc/UTC`?n=new Date(+e+e.getTimezoneOffset()*6e4):t==ni?n=e:(n=new Date(e.toLocaleString(`en-US`,{timeZone:t})),n.setMilliseconds(e.getMilliseconds())),n},So.sync=Ta;{So.addGap=Na,So.clipGaps=Ma;let e=So.paths={points:qa};e.linear=Za,e.stepped=Qa,e.bars=eo,e.spline=no}var Co=[`#0072b2`,`#e69f00`,`#009e73`,`#cc79a7`],wo=260;function To({versions:e}){let t=we(null);return Ce(()=>{let n=t.current;if(n===null||e.length===0)return;let r=[e.map(e=>e.ordinal),...Ue.map(([t])=>e.map(e=>e.metrics[t]??null))],i=new So({width:Math.max(280,n.clientWidth),height:wo,scales:{x:{time:!1},y:{range:(e,t,n)=>[Math.min(0,t),Math.max(1,n)]}},axes:[{label:`version`,incrs:[1,2,5,10,20,50,100,200,500,1e3],values:(e,t)=>t.map(e=>Number.isInteger(e)?`#${e}`:``)},{values:(e,t)=>t.map(e=>`${Math.round(e*100)}%`),size:56}],series:[{label:`version`,value:(e,t)=>t===null?`—`:`#${t}`},...Ue.map(([,e],t)=>({label:e,stroke:Co[t],width:2,points:{show:!0,size:7},value:(e,t)=>qe(t)}))]},r,n),a=new ResizeObserver(()=>i.setSize({width:Math.max(280,n.clientWidth),height:wo}));return a.observe(n),()=>{a.disconnect(),i.destroy()}},[e]),I`<figure class="chart">
    <div ref=${t} class="chart-box" role="img" aria-label=${`Metrics of ${e.length} version(s): ${Ue.map(([,e])=>e).join(`, `)}; the table below has the numbers.`}></div>
    <figcaption>Reliability, generalization, locality and capability by version (higher is better).</figcaption>
  </figure>`}function Eo({tick:e}){let{data:t,error:n}=$e(()=>H.versions(),`versions`,e);return I`<h1 tabindex="-1">Versions</h1>
    <${et} error=${n} />
    ${t===void 0?n===void 0&&I`<${U} />`:t.versions.length===0?I`<p>No version has been materialized yet.</p>`:I`<${To} versions=${t.versions} />
              <h2>Timeline</h2>
              ${t.pinned?I`<p class="notice" role="note">The serving version is pinned by a human decision: the trainer does not move it (<code>npx editledger unpin</code> releases it).</p>`:null}
              <div class="table-wrap" tabindex="0" role="region" aria-label="Versions table">
                <table data-testid="versions-table">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Version</th>
                      <th scope="col">Position</th>
                      <th scope="col">Edits</th>
                      ${Ue.map(([,e])=>I`<th scope="col">${e}</th>`)}
                      <th scope="col">Envelope</th>
                      <th scope="col">Built</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${[...t.versions].reverse().map(e=>I`<tr class=${e.serving?`serving-row`:``}>
                          <th scope="row">
                            <a href=${Qe(`versions/${e.versionId}`)}>#${e.ordinal}</a>
                            ${e.serving?I` <span class="badge badge-active">serving</span>`:null}
                          </th>
                          <td><code>${Ke(e.versionId)}</code></td>
                          <td>${e.position}</td>
                          <td>${e.editIds.length}</td>
                          ${Ue.map(([t])=>I`<td>${qe(e.metrics[t])}</td>`)}
                          <td>${Ge(e.verdict)}</td>
                          <td>${Xe(e.recordedAt)}</td>
                        </tr>`)}
                  </tbody>
                </table>
              </div>
              <${Do} versions=${t} />`}`}function Do({versions:e}){let t=new Map(e.versions.map(e=>[e.versionId,e.ordinal])),n=e.servingHistory;return I`<h2>Serving periods</h2>
    ${n.length===0?I`<p>Nothing has been served yet.</p>`:I`<div class="table-wrap" tabindex="0" role="region" aria-label="Serving periods">
            <table data-testid="serving-periods">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">From position</th>
                  <th scope="col">Until</th>
                  <th scope="col">Changed by</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                ${[...n].reverse().map(e=>{let r=n[n.indexOf(e)+1];return I`<tr>
                    <th scope="row">
                      <a href=${Qe(`versions/${e.versionId}`)}>#${t.get(e.versionId)??`?`}</a>
                    </th>
                    <td>${e.position} <span class="muted">(${Xe(e.recordedAt)})</span></td>
                    <td>${r===void 0?I`<strong>now</strong>`:`position ${r.position}`}</td>
                    <td>${e.changedBy}</td>
                    <td>${e.reason}</td>
                  </tr>`})}
              </tbody>
            </table>
          </div>`}`}var Oo=[[`overview`,`Overview`],[`versions`,`Versions`],[`edits`,`Edits`],[`log`,`Log`],[`reports`,`Reports`]],ko=400;function Ao(){let[e,t]=V(location.hash);return Ce(()=>{let e=()=>t(location.hash);return addEventListener(`hashchange`,e),()=>removeEventListener(`hashchange`,e)},[]),Ze(e)}function jo(e){let[t,n]=V({tick:0,connected:!1});return Ce(()=>{if(!e)return;let t=new AbortController,r,i,a,o=e=>{i=e,a??=setTimeout(()=>{a=void 0,n(e=>({tick:e.tick+1,last:i,connected:!0}))},ko)};return(async()=>{for(;!t.signal.aborted;){try{await He(`/v1/events/stream`,(e,t,i)=>{i!==void 0&&(r=i),e===`ready`&&n(e=>({...e,connected:!0})),e===`ledger`&&o(t)},t.signal,r===void 0?{}:{"last-event-id":r})}catch{}n(e=>({...e,connected:!1})),await new Promise(e=>setTimeout(e,2e3))}})(),()=>{t.abort(),clearTimeout(a)}},[e]),t}function Mo({onSignedIn:e}){let[t,n]=V(``),[r,i]=V(void 0);return I`<main id="main" class="signin">
    <h1>editledger audit dashboard</h1>
    <p>Sign in with an API token (<code>npx editledger token create --name me --role auditor</code>). It stays in this tab only.</p>
    <form onSubmit=${async n=>{n.preventDefault(),Ie(t.trim());try{e(await H.status())}catch(e){Ie(``);let t=e instanceof Le&&e.status===401;i(t?Error(`That token was refused: it is unknown, malformed or revoked.`):e)}}}>
      <label for="token">API token</label>
      <input
        id="token"
        type="password"
        autocomplete="off"
        required
        value=${t}
        onInput=${e=>n(e.currentTarget.value)}
      />
      <button type="submit">Sign in</button>
    </form>
    <${et} error=${r} />
  </main>`}function No(){let e=Ao(),[t,n]=V(void 0),[r,i]=V(new Set),[a,o]=V(void 0),s=jo(t!==void 0),c=we(null);if(Ce(()=>{Ve().then(i),Fe()!==``&&H.status().then(n,e=>{Ie(``),o(e)})},[]),Ce(()=>{t!==void 0&&s.tick>0&&H.status().then(n,o)},[s.tick]),Ce(()=>{c.current?.querySelector(`h1`)?.focus()},[e.page,e.id]),t===void 0)return I`<${Mo} onSignedIn=${n} />${a?I`<${et} error=${a} />`:null}`;let l={status:t,may:new Set(t.principal.may),tick:s.tick,routes:r,id:e.id,params:e.params};return I`<a
      class="skip"
      href="#main"
      onClick=${e=>{e.preventDefault(),c.current?.querySelector(`h1`)?.focus()}}
      >Skip to content</a
    >
    <header class="top">
      <p class="brand">editledger</p>
      <nav aria-label="Pages">
        <ul>
          ${Oo.map(([t,n])=>I`<li>
                <a href=${`#/${t}`} aria-current=${e.page===t?`page`:void 0}>${n}</a>
              </li>`)}
        </ul>
      </nav>
      <p class="who">
        <span data-testid="principal">${t.principal.name}</span>
        <span class="badge" data-testid="role">${t.principal.role}</span>
        <span class="serving" data-testid="serving-pointer">
          serving ${t.serving===null?`nothing`:`#${t.serving.ordinal}`}
        </span>
        <button type="button" class="link" onClick=${()=>{Ie(``),n(void 0),location.hash=``}}>Sign out</button>
      </p>
    </header>
    <p class="live" role="status" aria-live="polite" data-connected=${String(s.connected)}>
      ${s.connected?`Live`:`Connecting…`}${s.last?` — last event #${s.last.position} ${s.last.type}`:``}
    </p>
    <main id="main" ref=${c}>${Po(e.page,l)}</main>`}function Po(e,t){switch(e){case`overview`:return I`<${mt} ...${t} />`;case`versions`:return t.id===void 0?I`<${Eo} ...${t} />`:I`<${Ct} ...${t} />`;case`edits`:return t.id===void 0?I`<${ot} ...${t} />`:I`<${st} ...${t} />`;case`log`:return I`<${ft} ...${t} />`;case`reports`:return I`<${vt} ...${t} />`;default:return I`<h1 tabindex="-1">Not found</h1>
        <p>No page “${e}”. <a href="#/overview">Overview</a></p>`}}var Fo=document.getElementById(`app`);Fo!==null&&P(I`<${No} />`,Fo);